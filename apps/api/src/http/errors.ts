import { STATUS_CODES } from 'node:http';
import { AppError, RateLimitError, STATUS_BY_KIND } from '@0bit/core/errors';
import { isDatabaseUnavailable } from '@0bit/db/connection';
import type { Static } from '@sinclair/typebox';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorEnvelope as ErrorEnvelopeSchema } from './schemas.ts';

/** The spec's envelope (its schema is in schemas.ts); `code` appears only where the spec names one. */
export type ErrorEnvelope = Static<typeof ErrorEnvelopeSchema>;

export function envelope(statusCode: number, message: string | string[], code?: string): ErrorEnvelope {
  return { statusCode, message, error: STATUS_CODES[statusCode] ?? 'Error', ...(code ? { code } : {}) };
}

export const DATABASE_UNAVAILABLE =
  'The service is briefly unavailable (its database is not answering); retry in a few seconds with the same Idempotency-Key';
/** What a client should wait before retrying a 503 caused by the database. */
const DATABASE_RETRY_AFTER_SECONDS = 2;

/**
 * Maps any thrown error to a status and envelope; 5xx never leaks internals. An AppError's `code` is shown
 * only when it is one of its own (a generic error's code is its kind, which the spec's envelope does not
 * carry); its `details` are not part of 0Gate's envelope.
 */
export function toErrorResponse(error: unknown): ErrorEnvelope {
  if (error instanceof AppError)
    return envelope(STATUS_BY_KIND[error.kind], error.messages, error.hasOwnCode ? error.code : undefined);
  const fastifyError = error as FastifyError;
  const status = fastifyError.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    switch (fastifyError.code) {
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return envelope(
          415,
          'Unsupported Content-Type; send the body as JSON with "Content-Type: application/json"',
        );
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return envelope(413, 'Request body is larger than 64 KB');
      case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
        return envelope(400, 'Content-Length does not match the body sent');
      default:
        if (error instanceof SyntaxError || /JSON/i.test(fastifyError.message))
          return envelope(400, `Request body is not valid JSON: ${fastifyError.message}`);
        return envelope(status, fastifyError.message);
    }
  }
  if (isDatabaseUnavailable(error)) return envelope(503, DATABASE_UNAVAILABLE);
  return envelope(
    500,
    'Something went wrong on our side. Retry with the same Idempotency-Key; if it persists, contact support with the Request-Id header.',
  );
}

/**
 * Fastify's `frameworkErrors`: a URL it cannot route (bad percent-encoding, a path segment over its length
 * limit) is answered in 0Gate's envelope as a 404, like any unknown path, before any credential is read, so it
 * says nothing about a resource and carries no framework code.
 */
export function frameworkErrors(_error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  reply
    .code(404)
    .send(
      envelope(
        404,
        `No route ${request.method} ${request.url.split('?')[0]}: the URL is malformed (invalid percent-encoding, or a path segment that is too long); see /v1/openapi.json for the API`,
      ),
    );
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const body = toErrorResponse(error);
    if (body.statusCode === 503 && !(error instanceof AppError)) {
      // An outage is one cause for many failing requests: a line each at warn, without the stack.
      request.log.warn(
        { err: { message: (error as Error).message, code: (error as { code?: string }).code } },
        'database unavailable',
      );
      reply.header('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS));
    } else if (body.statusCode >= 500) request.log.error({ err: error }, 'request failed');
    if (error instanceof RateLimitError) reply.header('Retry-After', String(error.retryAfterSeconds));
    return reply.code(body.statusCode).send(body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send(
        envelope(
          404,
          `No route ${request.method} ${request.url.split('?')[0]}; see /v1/openapi.json for the API`,
        ),
      ),
  );
}
