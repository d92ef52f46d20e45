// Turning whatever a failed API call threw into something the UI can show: a code it can act
// on, a title and a hint per code, and the engine's own message without any stack trace.
import type { ApiError, ErrorCode, ErrorDetails } from '../../../electron/shared/types';
import { ERROR_CODES } from '../../../electron/shared/types';

const KNOWN_CODES: readonly ErrorCode[] = ERROR_CODES;

/** Cuts a message at the first stack frame: the UI never shows one. */
export function withoutStack(message: string): string {
  const lines = message.split('\n');
  const kept: string[] = [];
  for (const line of lines) {
    if (/^\s+at\s/.test(line)) break;
    kept.push(line);
  }
  return kept.join('\n').trim();
}

/**
 * Normalises a thrown value to { code, message, details }. Checks the shape rather than
 * `instanceof ApiCallError` so state classes stay independent of the bridge module.
 */
export function toApiError(thrown: unknown): ApiError {
  if (typeof thrown === 'object' && thrown !== null) {
    const { code, message, details } = thrown as { code?: unknown; message?: unknown; details?: unknown };
    const text = typeof message === 'string' && message.trim() !== '' ? withoutStack(message) : 'Unknown error';
    if (typeof code === 'string' && (KNOWN_CODES as readonly string[]).includes(code)) {
      const known = detailsOf(details);
      return known ? { code: code as ErrorCode, message: text, details: known } : { code: code as ErrorCode, message: text };
    }
    return { code: 'INTERNAL', message: text };
  }
  return { code: 'INTERNAL', message: typeof thrown === 'string' ? withoutStack(thrown) : 'Unknown error' };
}

/** The details worth keeping, each field checked: they decide what the UI claims (nothing was sent). */
function detailsOf(value: unknown): ErrorDetails | null {
  if (typeof value !== 'object' || value === null) return null;
  const raw = value as Record<string, unknown>;
  const out: ErrorDetails = {};
  if (typeof raw.nothingSent === 'boolean') out.nothingSent = raw.nothingSent;
  if (isStrings(raw.overrides)) out.overrides = raw.overrides;
  if (isStrings(raw.checks)) out.checks = raw.checks;
  if (typeof raw.confirm === 'string') out.confirm = raw.confirm;
  if (typeof raw.runningPlanId === 'string') out.runningPlanId = raw.runningPlanId;
  if (typeof raw.elsewhere === 'boolean') out.elsewhere = raw.elsewhere;
  if (typeof raw.node === 'string') out.node = raw.node;
  return Object.keys(out).length > 0 ? out : null;
}

function isStrings(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/** Whether a failed call is known to have changed nothing: only an explicit nothingSent says so. */
export function nothingSent(error: ApiError): boolean {
  return error.details?.nothingSent === true;
}

export interface ErrorExplanation {
  title: string;
  hint: string;
}

const EXPLANATIONS: Record<ErrorCode, ErrorExplanation> = {
  AUTH_FAILED: {
    title: 'Authentication failed',
    hint: 'The node rejected the user name or password. Check both; leave the user empty for the default user.',
  },
  NOPERM: {
    title: 'Permission denied',
    hint: 'The ACL user lacks a command the console needs (INFO at least). Use a user with +info +ping.',
  },
  UNREACHABLE: {
    title: 'Cannot reach the node',
    hint: 'Nothing accepted the connection. Check host, port, firewall, and that redis-server is running.',
  },
  TIMEOUT: {
    title: 'The node did not answer in time',
    hint: 'A stalled process, an overloaded node or a firewall dropping packets. Try again, or check the host.',
  },
  NOT_REDIS: {
    title: 'Not a Redis server',
    hint: 'Something answered on that port, but it does not speak the Redis protocol. Check the port.',
  },
  SENTINEL: {
    title: 'This is a Sentinel',
    hint: 'Connect to a data node (master or replica) instead; Sentinel ports usually end in 26379.',
  },
  CLUSTER_MODE: {
    title: 'Redis Cluster node',
    hint: 'Cluster replication is managed by the cluster itself, not by REPLICAOF; this console does not handle it.',
  },
  MAX_CLIENTS: {
    title: 'The node is out of client connections',
    hint: 'It is up, but maxclients is reached: it refuses every new connection, the console\'s too. Close idle connections or raise maxclients.',
  },
  PROTECTED_MODE: {
    title: 'The node is in protected mode',
    hint: 'It has no password set, so it takes connections only from its own host. Set a password, or reach it through an SSH tunnel.',
  },
  LOADING: {
    title: 'The node is loading its dataset',
    hint: 'It will answer once loading finishes. Try again in a moment.',
  },
  BAD_ARGUMENT: {
    title: 'Invalid input',
    hint: 'Check the addresses: host:port, several separated by commas.',
  },
  NOT_CONNECTED: {
    title: 'Not connected',
    hint: 'Connect to a topology first.',
  },
  TLS: {
    title: 'TLS failed',
    hint: 'The node and the console disagree about TLS: a TLS port needs TLS on, a plain port needs it off; or the certificate is not trusted (check the CA file and the server name).',
  },
  SSH: {
    title: 'SSH tunnel failed',
    hint: 'The bastion could not be reached, refused the login, or refused to forward to the node. Check the SSH host, user and key.',
  },
  HOST_KEY_UNKNOWN: {
    title: 'Unknown SSH host key',
    hint: 'This bastion is not in known_hosts yet. Compare the fingerprint with the one your administrator gave you before trusting it.',
  },
  HOST_KEY_CHANGED: {
    title: 'SSH host key changed',
    hint: 'The bastion presents a different key than known_hosts records: someone may be intercepting the connection. Refused; fix known_hosts only once you know why it changed.',
  },
  HOST_KEY_REVOKED: {
    title: 'SSH host key revoked',
    hint: 'The bastion presents a key that known_hosts marks @revoked: it must not be trusted again. Refused; the bastion needs a new host key.',
  },
  UNTRUSTED_HOST: {
    title: 'Untrusted host',
    hint: 'The node is outside the trusted hosts, so it is not sent the password. Add its host to the trusted hosts if it belongs to you.',
  },
  READ_ONLY: {
    title: 'Read-only connection',
    hint: 'This connection is for monitoring only: actions are refused. Connect without read-only to change the topology.',
  },
  PLAN_EXPIRED: {
    title: 'The plan has expired',
    hint: 'A plan can be run once, within a few minutes of being made, so its checks are current. Plan again and review it.',
  },
  PLAN_STALE: {
    title: 'The topology changed since the plan was made',
    hint: 'Read fresh just before running, the nodes no longer fit the steps you reviewed. Plan again and review the new steps.',
  },
  BUSY: {
    title: 'Another plan is running',
    hint: 'One plan runs at a time on a topology. Wait for it to finish, or abort it, then run this one again.',
  },
  NEEDS_OVERRIDE: {
    title: 'A check must be overridden',
    hint: 'Read what the check says; tick "Run anyway" for it only if you accept the risk, then run again.',
  },
  NEEDS_CONFIRMATION: {
    title: 'Confirmation needed',
    hint: 'This plan changes roles or throws data away: type the address it names in the confirm field, then run again.',
  },
  PLAN_REFUSED: {
    title: 'The plan is refused',
    hint: 'A check that cannot be overridden refuses it now (the checks list says why). Fix the cause, then plan again.',
  },
  STOPPING: {
    title: 'The console is stopping',
    hint: 'The plan was not started because the console, or this tab, is shutting down or disconnecting. Reconnect and plan again.',
  },
  JOURNAL_UNWRITABLE: {
    title: 'The plan journal cannot be written',
    hint: 'A plan is recorded on disk before its first command, and that failed (disk full, permissions). Make room in the console\'s data directory (or fix its permissions), then plan again.',
  },
  FORBIDDEN: {
    title: 'Refused',
    hint: 'The call did not come from the console\'s own page, so the app refused it. Reload the window.',
  },
  INTERNAL: {
    title: 'Unexpected error',
    hint: 'This is a bug in Replication Console. The message below says what failed.',
  },
};

/** Title and hint for an error code. */
export function explainError(code: ErrorCode): ErrorExplanation {
  return EXPLANATIONS[code];
}
