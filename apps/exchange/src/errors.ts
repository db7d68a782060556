import { AppError, type ErrorKind } from '@0bit/core/errors';

/**
 * The 0trace error catalogue (docs/exchange/errors.md): every failure answers `{ code, msg, data }` where
 * `msg` is the stable name to branch on and `data.message` says what to fix. Codes never change meaning.
 * 0trace throws the platform's one error type (AppError) with the name as its `code`; `kind` is the class of
 * failure it belongs to, and `code`/`status` here are what the 0trace envelope renders (http/envelope.ts).
 */
export const ERROR_CODES = {
  INVALID_REQUEST: { code: 1, status: 400, kind: 'bad_request' },
  INVALID_ADDRESS: { code: 2, status: 400, kind: 'bad_request' },
  AUTH_INVALID: { code: 3, status: 401, kind: 'unauthenticated' },
  UNKNOWN_CURRENCY: { code: 4, status: 400, kind: 'bad_request' },
  AMOUNT_OUT_OF_RANGE: { code: 5, status: 400, kind: 'bad_request' },
  RATE_EXPIRED: { code: 6, status: 409, kind: 'conflict' },
  ORDER_NOT_FOUND: { code: 7, status: 404, kind: 'not_found' },
  IDEMPOTENCY_CONFLICT: { code: 8, status: 409, kind: 'conflict' },
  INVALID_STATE: { code: 9, status: 409, kind: 'conflict' },
  RATE_LIMITED: { code: 10, status: 429, kind: 'rate_limited' },
  UNAVAILABLE: { code: 11, status: 503, kind: 'unavailable' },
  NOT_FOUND: { code: 12, status: 404, kind: 'not_found' },
  INTERNAL: { code: 99, status: 500, kind: 'internal' },
} as const satisfies Record<string, { code: number; status: number; kind: ErrorKind }>;

export type ErrorName = keyof typeof ERROR_CODES;

export const isErrorName = (code: string): code is ErrorName => Object.hasOwn(ERROR_CODES, code);

/** A 0trace error: the platform's AppError with a catalogue name as its code. */
export type TraceError = AppError & { readonly code: ErrorName };

export function traceError(
  name: ErrorName,
  message: string,
  /** Machine-readable details beside the message, e.g. { min, max } or { field errors }. */
  details: Record<string, unknown> = {},
): TraceError {
  return new AppError(ERROR_CODES[name].kind, message, { code: name, details }) as TraceError;
}

/** True when `error` is the 0trace error `name` (e.g. to handle RATE_EXPIRED or INVALID_STATE). */
export const isTraceError = (error: unknown, name: ErrorName): error is TraceError =>
  error instanceof AppError && error.code === name;
