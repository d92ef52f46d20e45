// --askpass and --ssh-askpass: read a secret as redis-cli and ssh do, the prompt on the
// terminal and nothing echoed; from a pipe (`echo pw | replication-console … --askpass`), one line.
import type { Readable, Writable } from 'node:stream';
import type { ReadStream } from 'node:tty';

/** Thrown when the user presses Ctrl-C or Ctrl-D at the prompt, or stdin ends before a line. */
export class SecretCancelled extends Error {
  override name = 'SecretCancelled';

  /** True for Ctrl-C (exit 130, as for any interrupt); false when no secret came (Ctrl-D, an empty pipe: a usage error). */
  constructor(
    message: string,
    readonly interrupted: boolean,
  ) {
    super(message);
  }
}

/** Prompt on `output` (stderr: stdout stays the command's own output) and read one secret from `input`. */
export function readSecret(prompt: string, input: Readable = process.stdin, output: Writable = process.stderr): Promise<string> {
  output.write(prompt);
  const tty = input as Partial<ReadStream>;
  return tty.isTTY && typeof tty.setRawMode === 'function' ? readFromTerminal(tty as ReadStream, output) : readLine(input, output);
}

function readFromTerminal(input: ReadStream, output: Writable): Promise<string> {
  return new Promise((resolve, reject) => {
    let secret = '';
    const finish = (error: Error | null): void => {
      input.setRawMode(false);
      input.off('data', onData);
      input.pause();
      output.write('\n');
      if (error) reject(error);
      else resolve(secret);
    };
    const onData = (chunk: Buffer): void => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return finish(null);
        if (char === '\u0003') return finish(new SecretCancelled('cancelled at the password prompt', true));
        if (char === '\u0004') return finish(new SecretCancelled('no password given (Ctrl-D at the prompt)', false));
        if (char === '\u007f' || char === '\b') secret = [...secret].slice(0, -1).join('');
        else if (char >= ' ') secret += char;
      }
    };
    input.setRawMode(true);
    input.on('data', onData);
    input.resume();
  });
}

/** One line from a pipe; what follows it stays unread for the next prompt. */
function readLine(input: Readable, output: Writable): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const done = (error: Error | null, line = '', rest = ''): void => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.pause();
      // Paused first: unshifted into a flowing stream, the rest would be emitted again at once.
      if (rest.length > 0) input.unshift(Buffer.from(rest));
      output.write('\n');
      if (error) reject(error);
      else resolve(line);
    };
    const onData = (chunk: Buffer | string): void => {
      buffered += chunk.toString();
      const newline = buffered.indexOf('\n');
      if (newline === -1) return;
      done(null, buffered.slice(0, newline).replace(/\r$/, ''), buffered.slice(newline + 1));
    };
    const onEnd = (): void => {
      if (buffered.length > 0) done(null, buffered.replace(/\r$/, ''));
      else done(new SecretCancelled('stdin ended before a password was given', false));
    };
    input.on('data', onData);
    input.once('end', onEnd);
    input.resume();
  });
}
