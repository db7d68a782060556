import { AppError, type ErrorKind } from '@0bit/core/errors';
import { isDatabaseUnavailable } from '@0bit/db/connection';
import type { FastifyError, FastifyInstance } from 'fastify';
import { type ErrorName, ExchangeError } from '../domain/errors.ts';

/** Every answer of the 0trace API: `{ code, msg, data }`, code 0 on success. */
export const ok = (data: unknown) => ({ code: 0, msg: 'OK', data });

/** Shared platform errors (admin guard, URL checks) in the 0trace vocabulary. */
const FROM_PLATFORM: Record<ErrorKind, ErrorName> = {
  bad_request: 'INVALID_REQUEST',
  invalid_request: 'INVALID_REQUEST',
  unauthenticated: 'AUTH_INVALID',
  forbidden: 'AUTH_INVALID',
  not_found: 'NOT_FOUND',
  conflict: 'INVALID_STATE',
  rate_limited: 'RATE_LIMITED',
  unavailable: 'UNAVAILABLE',
};

function toExchangeError(error: FastifyError | Error): ExchangeError | null {
  if (error instanceof ExchangeError) return error;
  if (error instanceof AppError) return new ExchangeError(FROM_PLATFORM[error.kind], error.message);
  const fastify = error as FastifyError;
  if (fastify.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return new ExchangeError('INVALID_REQUEST', 'Content-Type must be application/json');
  if (fastify.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return new ExchangeError('INVALID_REQUEST', 'The request body is larger than 64 KB');
  if (fastify.statusCode && fastify.statusCode < 500)
    return new ExchangeError('INVALID_REQUEST', fastify.message);
  if (isDatabaseUnavailable(error))
    return new ExchangeError(
      'UNAVAILABLE',
      'The service is briefly unavailable (its database is not answering); retry in a few seconds',
      { retryAfter: 2 },
    );
  return null;
}

export function registerEnvelope(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const known = toExchangeError(error as FastifyError);
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
    if ((known.kind === 'RATE_LIMITED' || known.kind === 'UNAVAILABLE') && known.details.retryAfter)
      reply.header('Retry-After', String(known.details.retryAfter));
    return reply.code(known.status).send({
      code: known.code,
      msg: known.kind,
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
