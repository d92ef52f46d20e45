// The CLI's answer to an SSH host key it has not seen: show the fingerprint and ask, as ssh does.
import { createInterface } from 'node:readline';
import { EngineError } from '../engine/errors';
import { HostKeyUnknownError } from '../engine/ssh-tunnel';
import { ApiCallError } from '../shared/bind-api';
import type { ConnectOptions } from '../shared/types';

/** Where the question is asked: a terminal on both, or no question at all. */
export interface PromptIo {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  output: NodeJS.WritableStream & { isTTY?: boolean };
}

const FINGERPRINT = /SHA256:[A-Za-z0-9+/]{43}/;

/**
 * Run `connect`; when it fails with HOST_KEY_UNKNOWN on a terminal, show the fingerprint, ask to
 * trust it, and on "yes" run it again with the key accepted (and added to known_hosts).
 */
export async function connectWithHostKeyPrompt<T>(
  options: ConnectOptions,
  connect: (options: ConnectOptions) => Promise<T>,
  given?: PromptIo,
): Promise<T> {
  try {
    return await connect(options);
  } catch (error) {
    const unknown = unknownHostKey(error);
    // A fingerprint given that is not the host's: its own message says so (asking again hid it).
    if (!unknown || !options.ssh || options.ssh.acceptHostKey) throw error;
    // Only now: opening stdin costs a handle (and time) that a connection without a question never needs.
    const io = given ?? { input: process.stdin, output: process.stderr };
    if (!io.input.isTTY || !io.output.isTTY) {
      throw new EngineError(
        'HOST_KEY_UNKNOWN',
        `${unknown.message.replace(/\s*Check the fingerprint.*$/s, '')} No terminal to ask on: check the fingerprint with the bastion's ` +
          `administrator, then pass --ssh-accept-host-key ${unknown.fingerprint}`,
      );
    }
    io.output.write(
      `The authenticity of host '${unknown.hostName}' can't be established.\n` +
        `${unknown.keyType} key fingerprint is ${unknown.fingerprint}.\n` +
        `This key is not known by any other names.\n`,
    );
    if (!(await confirm(io, unknown.fingerprint))) throw new EngineError('HOST_KEY_UNKNOWN', 'Host key verification failed.');
    const result = await connect({ ...options, ssh: { ...options.ssh, acceptHostKey: unknown.fingerprint } });
    io.output.write(`Warning: Permanently added '${unknown.hostName}' (${unknown.keyType}) to the list of known hosts.\n`);
    return result;
  }
}

/** The host, key type and fingerprint of a HOST_KEY_UNKNOWN, from the error itself or its message (across a bridge). */
function unknownHostKey(error: unknown): { hostName: string; keyType: string; fingerprint: string; message: string } | null {
  if (error instanceof HostKeyUnknownError) return error;
  if (!(error instanceof EngineError || error instanceof ApiCallError) || error.code !== 'HOST_KEY_UNKNOWN') return null;
  const fingerprint = FINGERPRINT.exec(error.message)?.[0];
  if (!fingerprint) return null;
  const hostName = /host '([^']+)'/.exec(error.message)?.[1] ?? 'the SSH bastion';
  const keyType = /its (\S+) key fingerprint/.exec(error.message)?.[1] ?? 'host';
  return { hostName, keyType, fingerprint, message: error.message };
}

/** OpenSSH's question: "yes" or the fingerprint itself accepts, "no" (or end of input) refuses. */
async function confirm(io: PromptIo, fingerprint: string): Promise<boolean> {
  const lines = createInterface({ input: io.input, output: io.output, terminal: false });
  try {
    let question = 'Are you sure you want to continue connecting (yes/no/[fingerprint])? ';
    for (;;) {
      // Listen first: an answer already waiting in the input is read as soon as the question is out.
      const next = nextLine(lines);
      io.output.write(question);
      const answer = await next;
      if (answer === null) return false;
      const text = answer.trim();
      if (text.toLowerCase() === 'yes' || text === fingerprint) return true;
      if (text.toLowerCase() === 'no') return false;
      question = "Please type 'yes', 'no' or the fingerprint: ";
    }
  } finally {
    lines.close();
  }
}

function nextLine(lines: ReturnType<typeof createInterface>): Promise<string | null> {
  return new Promise((resolve) => {
    const onLine = (line: string) => {
      lines.off('close', onClose);
      resolve(line);
    };
    const onClose = () => {
      lines.off('line', onLine);
      resolve(null);
    };
    lines.once('line', onLine);
    lines.once('close', onClose);
  });
}
