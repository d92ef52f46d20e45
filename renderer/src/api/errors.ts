// The one error type every API call rejects with, whichever bridge carried the call.

/** A failed API call: `code` is the engine's ErrorCode (AUTH_FAILED, UNREACHABLE, …). */
export class ApiCallError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'ApiCallError';
    this.code = code;
  }
}

// contextBridge copies only the message of an Error thrown in the preload, so the preload
// puts the code in front of it: "[AUTH_FAILED] 10.0.0.5:6379: authentication failed".
const CODED_MESSAGE = /\[([A-Z][A-Z_]*)\] ([\s\S]*)$/;

/** Rebuild an ApiCallError from whatever crossed the context bridge. */
export function fromBridgeError(error: unknown): ApiCallError {
  if (error instanceof ApiCallError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const coded = CODED_MESSAGE.exec(message);
  if (coded) return new ApiCallError(coded[1] ?? 'INTERNAL', coded[2] ?? '');
  const code = (error as { code?: unknown } | null)?.code;
  return new ApiCallError(typeof code === 'string' ? code : 'INTERNAL', message);
}
