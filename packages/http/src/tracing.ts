import { annotateRequestSpan, tracingActive } from '@0bit/core/tracing';
import type { FastifyInstance } from 'fastify';

/**
 * With tracing on (apps/server/src/tracing.ts), names each request's HTTP server span after its route
 * template and tags it with the request id, which the spans below it (queries, Redis, provider calls)
 * carry too. With tracing off no hook is added.
 */
export function traceRequests(app: FastifyInstance): void {
  if (!tracingActive()) return;
  app.addHook('onRequest', async (request) => {
    annotateRequestSpan(request.id, request.method, request.routeOptions.url);
  });
}
