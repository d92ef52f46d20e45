// The CLI's entry point (bundled to out/cli/entry.js by the install-time build): runs one command
// line and exits with its code. Kept apart from main.ts so a bundle can load the rest lazily.
import { fail, main } from './main';

// `watch … | head` closes our stdout: that is the reader being done, not an error to print.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => process.exit(fail(error)),
);
