// The CLI's entry point (bundled to out/cli/entry.js by the install-time build): runs one command
// line and exits with its code. Help is answered from the help texts alone; the commands (the
// engine, ioredis, zod) are loaded only for a command that runs, so `--help` starts about as fast
// as node itself.
import { answerHelp } from './help';

// `watch … | head` closes our stdout: that is the reader being done, not an error to print.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const argv = process.argv.slice(2);
const helped = answerHelp(argv);
if (helped !== null) {
  process.exitCode = helped;
} else {
  void import('./main').then(({ fail, main }) =>
    main(argv).then(
      (code) => process.exit(code),
      (error: unknown) => process.exit(fail(error, argv[0])),
    ),
  );
}
