import { checkHealth, type ReadinessProbes, registerLiveAndReady } from '@0bit/http/health';
import type { App, RouteDeps } from './context.ts';
import { envelope } from './errors.ts';

export function healthRoutes(app: App, deps: RouteDeps, readiness?: ReadinessProbes): void {
  app.get('/health', { schema: { hide: true } }, async (_request, reply) => {
    const report = await checkHealth(deps.db, deps.counter);
    if (report.status !== 'unavailable') return report;
    return reply.code(503).send({ ...envelope(503, 'The database is not answering'), ...report });
  });
  // /health/live and /health/ready (docs/operating.md): 503 answers carry the error envelope too.
  registerLiveAndReady(app, {
    db: deps.db,
    redis: deps.counter,
    probes: readiness,
    answer: (reply, report) =>
      reply.statusCode === 503
        ? { ...envelope(503, 'This instance is not ready to serve requests'), ...report }
        : report,
  });
}
