/**
 * The one error vocabulary of the platform. Domain code throws these; `http/errors.ts` maps each kind to a
 * status code and the spec's envelope `{ statusCode, message, error }`. Messages are written for the partner
 * developer reading them: say what is wrong and how to fix it, never echo a secret.
 */
export type ErrorKind =
  | 'bad_request'
  | 'invalid_request'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'rate_limited'
  | 'unavailable';

export class AppError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string | string[],
    /**
     * Machine-readable code, only where the spec names one (e.g. `kyc_package_not_trusted`). Not called
     * `code`: Fastify stamps its own internal codes onto errors' `code` property.
     */
    readonly publicCode?: string,
  ) {
    super(Array.isArray(message) ? message.join('; ') : message);
    this.messages = message;
  }
  readonly messages: string | string[];
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
    super('forbidden', message, code);
  }
}

export class NotFoundError extends AppError {
  constructor(message: string) {
    super('not_found', message);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, code?: string) {
    super('conflict', message, code);
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
