import { checkHealth } from '@0bit/http/health';
import type { App, RouteDeps } from './context.ts';
import { envelope } from './errors.ts';

export function healthRoutes(app: App, deps: RouteDeps): void {
  app.get('/health', { schema: { hide: true } }, async (_request, reply) => {
    const report = await checkHealth(deps.db, deps.counter);
    if (report.status !== 'unavailable') return report;
    return reply.code(503).send({ ...envelope(503, 'The database is not answering'), ...report });
  });
}
