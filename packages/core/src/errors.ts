/**
 * The one error vocabulary of the platform, for both products. Domain code throws an AppError: a `kind`
 * (the class of failure, which each product maps to its HTTP status), a stable `code` (what a client branches
 * on), a message written for the partner developer (say what is wrong and how to fix it, never echo a secret)
 * and machine-readable `details`. Each product renders it in its own envelope: 0Gate's
 * `{ statusCode, message, error, code? }` (apps/api/src/http/errors.ts), 0trace's `{ code, msg, data }`
 * (apps/exchange/src/http/envelope.ts).
 */
export type ErrorKind =
  | 'bad_request'
  | 'invalid_request'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'rate_limited'
  | 'unavailable'
  | 'internal';

/**
 * The HTTP status of each error kind, for the platform's own envelopes (0Gate, the Partner Hub). 0trace answers
 * by its catalogue instead (apps/exchange/src/errors.ts), which fixes its own statuses.
 */
export const STATUS_BY_KIND: Record<ErrorKind, number> = {
  bad_request: 400,
  invalid_request: 422,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

export interface ErrorOptions {
  /** The stable code; defaults to the kind (a generic error with no code of its own). */
  code?: string | undefined;
  /** Machine-readable facts beside the message, e.g. { min, max } or { orderId }. */
  details?: Record<string, unknown>;
}

export class AppError extends Error {
  /**
   * Stable, never changes meaning. Equal to `kind` for a generic error; otherwise a name a contract fixes
   * (0Gate's `kyc_package_not_trusted`, 0trace's `IDEMPOTENCY_CONFLICT`). Fastify only fills `code` on an
   * error that has none, so it never overwrites this one.
   */
  readonly code: string;
  readonly details: Record<string, unknown>;
  readonly messages: string | string[];

  constructor(
    readonly kind: ErrorKind,
    message: string | string[],
    options: ErrorOptions = {},
  ) {
    super(Array.isArray(message) ? message.join('; ') : message);
    this.messages = message;
    this.code = options.code ?? kind;
    this.details = options.details ?? {};
  }

  /** True when this error has a code of its own, not just its kind. */
  get hasOwnCode(): boolean {
    return this.code !== this.kind;
  }
}

/** 400: the request could not be understood (headers, query, JSON). */
export class BadRequestError extends AppError {
  constructor(message: string | string[]) {
    super('bad_request', message);
  }
}

/** 422: the request was understood but its values are not acceptable; one message per field. */
export class ValidationError extends AppError {
  constructor(messages: string[]) {
    super('invalid_request', messages);
  }
}

export class AuthenticationError extends AppError {
  constructor(message: string) {
    super('unauthenticated', message);
  }
}

export class PermissionError extends AppError {
  constructor(message: string, code?: string) {
    super('forbidden', message, { code });
  }
}

export class NotFoundError extends AppError {
  constructor(message: string) {
    super('not_found', message);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, code?: string) {
    super('conflict', message, { code });
  }
}

export class RateLimitError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('rate_limited', message);
  }
}

/** 503: the service cannot do this right now (e.g. live payments with no provider configured). */
export class ServiceUnavailableError extends AppError {
  constructor(message: string) {
    super('unavailable', message);
  }
}
