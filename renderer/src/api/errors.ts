// The one error type every API call rejects with, whichever bridge carried the call: rebuilt from
// the envelope's fields by electron/shared/bind-api.ts (never read back from message text).
export { ApiCallError, toApiCallError } from '../../../electron/shared/bind-api';
