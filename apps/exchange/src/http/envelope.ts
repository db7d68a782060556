import { AppError, type ErrorKind } from '@0bit/core/errors';
import { isDatabaseUnavailable } from '@0bit/db/connection';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CODES, type ErrorName, isErrorName, type TraceError, traceError } from '../errors.ts';

/** Every answer of the 0trace API: `{ code, msg, data }`, code 0 on success. */
export const ok = (data: unknown) => ({ code: 0, msg: 'OK', data });

/**
 * Errors whose code is not in the 0trace catalogue (the shared packages' generic ones: admin guard, URL
 * checks) answer the catalogue name of their kind.
 */
const FROM_PLATFORM: Record<ErrorKind, ErrorName> = {
  bad_request: 'INVALID_REQUEST',
  invalid_request: 'INVALID_REQUEST',
  unauthenticated: 'AUTH_INVALID',
  forbidden: 'AUTH_INVALID',
  not_found: 'NOT_FOUND',
  conflict: 'INVALID_STATE',
  rate_limited: 'RATE_LIMITED',
  unavailable: 'UNAVAILABLE',
  internal: 'INTERNAL',
};

/** Any thrown error as a 0trace error (its code a catalogue name), or null for an unexpected one (500). */
function toTraceError(error: FastifyError | Error): TraceError | null {
  if (error instanceof AppError)
    return isErrorName(error.code)
      ? (error as TraceError)
      : traceError(FROM_PLATFORM[error.kind], error.message);
  const fastify = error as FastifyError;
  if (fastify.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return traceError('INVALID_REQUEST', 'Content-Type must be application/json');
  if (fastify.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return traceError('INVALID_REQUEST', 'The request body is larger than 64 KB');
  if (fastify.statusCode && fastify.statusCode < 500) return traceError('INVALID_REQUEST', fastify.message);
  if (isDatabaseUnavailable(error))
    return traceError(
      'UNAVAILABLE',
      'The service is briefly unavailable (its database is not answering); retry in a few seconds',
      { retryAfter: 2 },
    );
  return null;
}

/**
 * Fastify's `frameworkErrors`: a URL it cannot route (bad percent-encoding, a path segment over its length
 * limit) gets the `{ code, msg, data }` envelope as NOT_FOUND, like any unknown path, before any credential is
 * read, and no framework code.
 */
export function frameworkErrors(_error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  reply.code(404).send({
    code: 12,
    msg: 'NOT_FOUND',
    data: {
      message:
        'No route for this URL: it is malformed (invalid percent-encoding, or a path segment that is too long)',
      requestId: request.id,
    },
  });
}

export function registerEnvelope(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const known = toTraceError(error as FastifyError);
    if (!known) {
      request.log.error(
        { err: error, method: request.method, route: request.routeOptions.url },
        'unhandled error',
      );
      return reply.code(500).send({
        code: 99,
        msg: 'INTERNAL',
        data: {
          message: 'Something went wrong on our side; retry with the same Idempotency-Key',
          requestId: request.id,
        },
      });
    }
    if ((known.code === 'RATE_LIMITED' || known.code === 'UNAVAILABLE') && known.details.retryAfter)
      reply.header('Retry-After', String(known.details.retryAfter));
    return reply.code(ERROR_CODES[known.code].status).send({
      code: ERROR_CODES[known.code].code,
      msg: known.code,
      data: { message: known.message, ...known.details, requestId: request.id },
    });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      code: 12,
      msg: 'NOT_FOUND',
      data: {
        message: `No route ${request.method} ${request.url.split('?')[0]}; see docs/exchange/quickstart.md`,
        requestId: request.id,
      },
    }),
  );
}
