import { isDatabaseHealthy } from '../store/db.ts';
import type { App, RouteDeps } from './context.ts';
import { envelope } from './errors.ts';

export function healthRoutes(app: App, deps: RouteDeps): void {
  app.get('/health', { schema: { hide: true } }, async (_request, reply) => {
    if (await isDatabaseHealthy(deps.db)) return { status: 'ok' };
    return reply.code(503).send({ ...envelope(503, 'The database is not answering'), status: 'unavailable' });
  });
}
