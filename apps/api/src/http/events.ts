import { rateLimit } from '@0bit/http/rate-limit';
import { listEvents } from '../domain/events.ts';
import { Event } from '../domain/shapes.ts';
import { scopeOf } from './auth.ts';
import type { App, RouteDeps } from './context.ts';
import { DEFAULT_PAGE_SIZE, EventsQuery, errorResponses, listOf } from './schemas.ts';

export function eventRoutes(app: App, deps: RouteDeps): void {
  app.get(
    '/v1/events',
    {
      onRequest: [deps.secretKey],
      preHandler: [rateLimit(deps.counter, { name: 'events.list', perMinute: 60, per: 'key' })],
      schema: {
        operationId: 'listEvents',
        summary:
          'Every event of this partner and mode, newest first; starting_after pages back, ending_before forward',
        tags: ['Events'],
        security: [{ secretKey: [] }],
        querystring: EventsQuery,
        response: { 200: listOf(Event, 'EventList'), ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request) => {
      const page = await listEvents(deps.db, scopeOf(request).scope, {
        limit: request.query.limit ?? DEFAULT_PAGE_SIZE,
        type: request.query.type,
        startingAfter: request.query.starting_after,
        endingBefore: request.query.ending_before,
      });
      return { object: 'list' as const, ...page };
    },
  );
}
