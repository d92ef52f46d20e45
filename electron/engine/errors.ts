import { REFUSES_CONSOLE_CODES, type ApiError, type ErrorCode, type ErrorDetails } from '../shared/types';
import { detached } from './detached';

/** How a refused and a closed connection read. */
const CONNECTION_REFUSED = 'connection refused (nothing is listening on that port)';
const CONNECTION_CLOSED = 'the connection was closed by the other side';

/**
 * What an UNREACHABLE error's message says of the node: 'refused', no process listens there (the
 * host, or an SSH bastion's forward, said so); 'closed', something accepted and dropped the
 * connection (a crash loop, a proxy); 'unknown', it cannot be reached at all (a name that does
 * not resolve, no route), so nothing tells whether it is down or cut off from the console only.
 */
export function unreachableKind(message: string | null): 'refused' | 'closed' | 'unknown' {
  if (message === null) return 'unknown';
  if (/connection refused/i.test(message)) return 'refused';
  return message.includes(CONNECTION_CLOSED) ? 'closed' : 'unknown';
}

/** Codes only a process that answered gives: something runs on that port. */
export const ANSWERED_CODES: ReadonlySet<string> = new Set([...REFUSES_CONSOLE_CODES, 'LOADING', 'NOT_REDIS', 'SENTINEL', 'CLUSTER_MODE']);

/** An error with a code the UI and the CLI can act on, a message fit to show a person, and what else is known. */
export class EngineError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails | undefined;

  constructor(code: ErrorCode, message: string, details?: ErrorDetails) {
    super(message);
    this.name = 'EngineError';
    this.code = code;
    this.details = details;
  }
}

/**
 * The same error with more known about it (nothingSent, say): an EngineError keeps its code and
 * message; anything else becomes INTERNAL, as toApiError would make it.
 */
export function withDetails(error: unknown, details: ErrorDetails): EngineError {
  const { code, message, details: known } = toApiError(error);
  return new EngineError(code, message, { ...known, ...details });
}

interface Rule {
  test: RegExp;
  code: ErrorCode;
  explain: (address: string, raw: string, error: unknown) => string;
}

// Order matters: the first rule that matches wins. Each message says what happened in an
// operator's words and, where there is one, what to do about it.
const RULES: Rule[] = [
  // TLS first: Node's TLS errors carry words (EPROTO, "unexpected") that later rules would misread.
  {
    test: /ERR_TLS_CERT_ALTNAME_INVALID|does not match certificate's altnames/i,
    code: 'TLS',
    explain: (a, raw, error) => `${a}: the server's certificate is not issued for this host name or IP: connect with --sni NAME, NAME being a name the certificate lists${altnames(raw, error)}`,
  },
  {
    test: /CERT_HAS_EXPIRED|certificate has expired/i,
    code: 'TLS',
    explain: (a) => `${a}: the server's certificate has expired: renew it on the server (tls-cert-file); --insecure skips the check, at the price of anyone on the path reading the traffic`,
  },
  {
    test: /CERT_NOT_YET_VALID|certificate is not yet valid/i,
    code: 'TLS',
    explain: (a) => `${a}: the server's certificate is not valid yet: check the clocks of the server and of this machine`,
  },
  {
    test: /SELF_SIGNED_CERT|DEPTH_ZERO_SELF_SIGNED|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT|self[- ]signed certificate|unable to verify the first certificate|unable to get (local )?issuer certificate/i,
    code: 'TLS',
    explain: (a) =>
      `${a}: the server's certificate is not signed by a CA the console trusts: give that CA with --cacert FILE (or skip the check with --insecure, which lets anyone on the path read the traffic)`,
  },
  {
    test: /ALERT_CERTIFICATE_REQUIRED|alert certificate required/i,
    code: 'TLS',
    explain: (a) => `${a} requires a client certificate (tls-auth-clients yes): give --cert FILE and --key FILE`,
  },
  {
    test: /ALERT_UNKNOWN_CA|alert unknown ca|ALERT_BAD_CERTIFICATE|alert bad certificate|alert certificate unknown/i,
    code: 'TLS',
    explain: (a) => `${a} refused the client certificate (--cert): it is not signed by a CA the server trusts (its tls-ca-cert-file)`,
  },
  {
    test: /wrong version number|packet length too long|WRONG_VERSION_NUMBER/i,
    code: 'TLS',
    explain: (a) => notTls(a),
  },
  {
    test: /alert handshake failure/i,
    code: 'TLS',
    explain: (a) =>
      `${a} refused the TLS handshake: it may require a client certificate (--cert and --key) or a TLS version or cipher this client does not offer`,
  },
  {
    test: /ERR_SSL_|SSL routines|EPROTO/,
    code: 'TLS',
    explain: (a, raw) => `${a}: the TLS handshake failed (${tlsReason(raw)})`,
  },
  {
    test: /WRONGPASS|invalid password|invalid username-password/i,
    code: 'AUTH_FAILED',
    explain: (a) => `${a}: authentication failed (wrong user name or password)`,
  },
  {
    test: /NOAUTH/,
    code: 'AUTH_FAILED',
    explain: (a) => `${a} requires a password: give --password (and --user for an ACL user)`,
  },
  {
    test: /AUTH <password> called without any password configured|Client sent AUTH, but no password is set/i,
    code: 'AUTH_FAILED',
    explain: (a) => `${a} has no password set, but one was given: connect without --password`,
  },
  {
    // rename-command INFO "" (or to another name): up and serving, but the console reads nothing without INFO.
    test: /unknown command [`'"]?info[`'"]?/i,
    code: 'NOPERM',
    explain: (a) =>
      `${a} has INFO renamed or disabled (rename-command): it is up, but the console reads a node through INFO and cannot read this one. ` +
      `Give INFO back its name in the server's configuration (rename-command, read at start)`,
  },
  {
    test: /NOPERM/,
    code: 'NOPERM',
    explain: (a, raw) => explainNoPerm(a, raw),
  },
  {
    // Sent on accept, then the connection is closed: alive, serving the clients it has.
    test: /max number of clients reached/i,
    code: 'MAX_CLIENTS',
    explain: (a) =>
      `${a} is up but refuses new connections: max number of clients reached (maxclients); the replicas and clients it has go on. ` +
      `Close idle connections or raise maxclients`,
  },
  {
    test: /^DENIED|protected mode/i,
    code: 'PROTECTED_MODE',
    explain: (a) =>
      `${a} is up but in protected mode: with no password set, it takes connections only from its own host. ` +
      `Set a password (requirepass or an ACL user) and connect with it, or connect from that host (an SSH tunnel)`,
  },
  { test: /^LOADING/, code: 'LOADING', explain: (a) => `${a} is loading its dataset into memory; try again shortly` },
  {
    // Alive, but it answers nothing else until the script ends: to the console, as good as stalled.
    test: /^BUSY /,
    code: 'TIMEOUT',
    explain: (a) => `${a} is busy running a script or function (BUSY): it answers nothing else until that ends, or SCRIPT KILL / FUNCTION KILL stops it`,
  },
  {
    test: /ECONNREFUSED/,
    code: 'UNREACHABLE',
    explain: (a) => `${a}: ${CONNECTION_REFUSED}`,
  },
  {
    test: /ENOTFOUND|EAI_AGAIN|EAI_NONAME/,
    code: 'UNREACHABLE',
    explain: (a) => `${a}: the host name could not be resolved`,
  },
  {
    test: /EHOSTUNREACH|ENETUNREACH|EADDRNOTAVAIL/,
    code: 'UNREACHABLE',
    explain: (a) => `${a}: no route to that host`,
  },
  {
    test: /ETIMEDOUT|timed out|TIMEOUT/i,
    code: 'TIMEOUT',
    explain: (a) => `${a} did not answer in time (the process may be stalled or overloaded, or a firewall drops packets)`,
  },
  {
    test: /Protocol error|unknown reply|Unexpected|ERR_INVALID|ECONNRESET.*HTTP/i,
    code: 'NOT_REDIS',
    explain: (a) => `${a} answered, but not with the Redis protocol: is this port a Redis server?`,
  },
  {
    test: /ECONNRESET|EPIPE|Connection is closed|Stream isn't writeable|connection closed/i,
    code: 'UNREACHABLE',
    explain: (a) => `${a}: ${CONNECTION_CLOSED}`,
  },
];

/** A plain port dialled with TLS, told from its answer (the rule above) or from a probe (ClientRegistry). */
export function notTls(address: string): string {
  return `${address} does not speak TLS: connect without --tls or use its TLS port (a replica the console found in a master's list announces its plain port: tls-replication no on it, or its replica-announce-port)`;
}

/**
 * What Node's check says the certificate lists and which name was checked ("Host: x. is not in
 * the cert's altnames: DNS:a, IP Address:b"), so the operator can pick the --sni at once.
 */
function altnames(raw: string, error: unknown): string {
  const match = /(?:Host|IP): (\S+?)\.? is not in the cert's (?:altnames|list): ?([^\n]*)/.exec(raw);
  if (!match) return '';
  // Dialled by IP, Node's text lists only the certificate's IP addresses ("it lists no name" over a
  // certificate for db.example.test): the certificate itself, when the error carries it, lists all.
  const cert = (error as { cert?: { subjectaltname?: unknown } } | null)?.cert?.subjectaltname;
  const listed = (typeof cert === 'string' && cert.trim() !== '' ? cert : (match[2] ?? '')).trim().slice(0, 300);
  return ` (${listed ? `it lists ${listed}` : 'it lists no name'}; checked: ${(match[1] ?? '').slice(0, 253)})`;
}

/** Turn anything ioredis or Node throws into an EngineError about one node. */
export function classifyError(error: unknown, address: string): EngineError {
  if (error instanceof EngineError) return error;
  const raw = rawMessage(error);
  for (const rule of RULES) {
    if (rule.test.test(raw)) return new EngineError(rule.code, rule.explain(address, raw, error));
  }
  return new EngineError('INTERNAL', `${address}: ${firstLine(raw) || 'unexpected error'}`);
}

/** Any thrown value → `{ code, message }`, never a stack trace. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof EngineError) return error.details ? { code: error.code, message: error.message, details: error.details } : { code: error.code, message: error.message };
  const raw = firstLine(rawMessage(error));
  return { code: 'INTERNAL', message: `Internal error: ${raw || 'unknown'}` };
}

/** A NOPERM message that could not name the ACL user (Redis before 7.2 does not say it), with the user named. */
export function withAclUser(error: EngineError, user: string | undefined): EngineError {
  if (error.code !== 'NOPERM' || !error.message.includes('ACL SETUSER <user>')) return error;
  const name = user ?? 'default';
  return new EngineError('NOPERM', error.message.replace('the ACL user lacks', `ACL user ${name} lacks`).replace('ACL SETUSER <user>', `ACL SETUSER ${name}`));
}

/**
 * Remove secrets from a message before it is shown or logged: each occurrence that is not part
 * of a longer word (a letter, digit or underscore on neither side). Inside a word it is left: a
 * short password cut out of "authentication" garbled the message and, by where the *** fell,
 * told the password.
 */
export function redact(message: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = message;
  for (const secret of secrets) {
    if (!secret) continue;
    const escaped = secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    out = out.replace(new RegExp(`(?<![A-Za-z0-9_])${escaped}(?![A-Za-z0-9_])`, 'g'), '***');
  }
  return out;
}

/**
 * "NOPERM User x has no permissions to run the 'config|set' command" (Redis 7) or "NOPERM this
 * user has no permissions to run the 'config' command or its subcommand" (6.2) → the command, and
 * the ACL rule that allows it.
 */
function explainNoPerm(address: string, raw: string): string {
  const line = firstLine(raw);
  const command = /permissions to run the '([^']+)' command/i.exec(line)?.[1];
  if (!command) return `${address}: the ACL user lacks a permission (${line.replace(/^NOPERM\s*/, '')})`;
  const named = /NOPERM User (\S+) has no permissions/i.exec(line)?.[1];
  const user = named ?? '<user>';
  const shown = command.replace('|', ' ').toUpperCase();
  const who = named ? `ACL user ${named}` : 'the ACL user';
  return `${address}: ${who} lacks permission for ${shown}: add it with ACL SETUSER ${user} +${command.toLowerCase()}`;
}

/** The OpenSSL reason of a TLS error, without the library's file and line ("…:tlsv13 alert …:../deps/…"). */
function tlsReason(raw: string): string {
  const line = firstLine(raw);
  const reason = /SSL routines:[^:]*:([^:]+)/.exec(line)?.[1];
  return (reason ?? line).trim().slice(0, 160);
}

function rawMessage(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code && !error.message.includes(code) ? `${code} ${error.message}` : error.message;
  }
  return typeof error === 'string' ? error : '';
}

/**
 * The first line, trimmed, at most 300 characters, as a copy (see detached.ts): a record keeps its
 * error, and a view into a server's error reply of megabytes would keep all of it.
 */
function firstLine(text: string): string {
  const newline = text.indexOf('\n');
  return detached((newline < 0 ? text : text.slice(0, newline)).trim().slice(0, 300));
}
