/** What the API answered, as the SDK's errors carry it. */
export interface ErrorDetails {
  statusCode: number | null;
  message: string | string[];
  error: string;
  requestId: string | null;
  /** The response body as received (parsed JSON when it was JSON). */
  raw: unknown;
}

/** Base of every error the SDK throws: branch on the subclass, log `requestId` for support. */
export class GateError extends Error {
  readonly statusCode: number | null;
  readonly error: string;
  readonly requestId: string | null;
  readonly raw: unknown;
  /** The API's message: a string, or one entry per field on validation errors. */
  readonly messages: string | string[];

  constructor(details: ErrorDetails) {
    super(Array.isArray(details.message) ? details.message.join('; ') : details.message);
    this.name = new.target.name;
    this.statusCode = details.statusCode;
    this.error = details.error;
    this.requestId = details.requestId;
    this.raw = details.raw;
    this.messages = details.message;
  }
}

/** 401: missing, malformed or unknown key. */
export class AuthenticationError extends GateError {}
/** 403: wrong key kind, revoked key, mode not served, origin not allowed, quota exhausted… */
export class PermissionError extends GateError {}
/** 404: missing, or not visible to this key's partner and mode. */
export class NotFoundError extends GateError {}
/** 409: e.g. cancelling a session that is already terminal. */
export class ConflictError extends GateError {}
/** 400 / 422: the request is malformed or a field is not acceptable. */
export class InvalidRequestError extends GateError {}
/** 429: slow down; retried automatically while retries remain. */
export class RateLimitError extends GateError {}
/** 5xx: the API's side; retried automatically while retries remain. */
export class APIError extends GateError {}
/** The request never got an answer (DNS, refused, reset). */
export class ConnectionError extends GateError {}
/** No answer within `timeoutMs`. */
export class TimeoutError extends GateError {}
/** A webhook's Gate-Signature did not verify; the message says why. */
export class SignatureVerificationError extends GateError {}

export function errorForStatus(details: ErrorDetails): GateError {
  const status = details.statusCode ?? 0;
  if (status === 401) return new AuthenticationError(details);
  if (status === 403) return new PermissionError(details);
  if (status === 404) return new NotFoundError(details);
  if (status === 409) return new ConflictError(details);
  if (status === 400 || status === 422) return new InvalidRequestError(details);
  if (status === 429) return new RateLimitError(details);
  if (status >= 500) return new APIError(details);
  return new GateError(details);
}
