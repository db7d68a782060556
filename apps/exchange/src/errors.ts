/**
 * The 0trace error catalogue (docs/exchange/errors.md): every failure answers `{ code, msg, data }` where
 * `msg` is the stable name to branch on and `data.message` says what to fix. Codes never change meaning.
 */
export const ERROR_CODES = {
  INVALID_REQUEST: { code: 1, status: 400 },
  INVALID_ADDRESS: { code: 2, status: 400 },
  AUTH_INVALID: { code: 3, status: 401 },
  UNKNOWN_CURRENCY: { code: 4, status: 400 },
  AMOUNT_OUT_OF_RANGE: { code: 5, status: 400 },
  RATE_EXPIRED: { code: 6, status: 409 },
  ORDER_NOT_FOUND: { code: 7, status: 404 },
  IDEMPOTENCY_CONFLICT: { code: 8, status: 409 },
  INVALID_STATE: { code: 9, status: 409 },
  RATE_LIMITED: { code: 10, status: 429 },
  UNAVAILABLE: { code: 11, status: 503 },
  NOT_FOUND: { code: 12, status: 404 },
  INTERNAL: { code: 99, status: 500 },
} as const;

export type ErrorName = keyof typeof ERROR_CODES;

export class ExchangeError extends Error {
  constructor(
    readonly kind: ErrorName,
    message: string,
    /** Machine-readable details beside the message, e.g. { min, max } or { field errors }. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }

  get code(): number {
    return ERROR_CODES[this.kind].code;
  }

  get status(): number {
    return ERROR_CODES[this.kind].status;
  }
}
