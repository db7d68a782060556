import type { FastifyInstance, FastifyServerOptions } from 'fastify';

/**
 * 0trace tells partners "We retain no logs, metadata, or tracking cookies" (quickstart). What an operator
 * still needs is kept — every failure (the error, the route, and the request id the client was answered
 * with, so support can find it) and how many answers of each kind each route gave — and nothing that
 * describes a client: no address, user agent, headers, body, query, nor a line per request
 * (docs/exchange/quickstart.md, "What we log").
 */
export const EXCHANGE_LOG_SERIALIZERS = {
  req: (req: { method?: string; routeOptions?: { url?: string } }) => ({
    method: req.method,
    route: req.routeOptions?.url,
  }),
  res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
  // Only these fields: driver errors carry more (the query's parameters, a row's values) and those come
  // from request bodies.
  err: (err: {
    name?: string;
    constructor?: { name?: string };
    message?: string;
    stack?: string;
    code?: unknown;
  }) => ({
    type: err?.constructor?.name ?? err?.name ?? 'Error',
    message: String(err?.message ?? err),
    stack: err?.stack ?? '',
    ...(typeof err?.code === 'string' || typeof err?.code === 'number' ? { code: err.code } : {}),
  }),
};

/**
 * The 0trace logger: the caller's level and destination, 0trace's serializers whatever the caller passed
 * (`npm start` hands every app 0Gate's, which log the client address).
 */
export function exchangeLogger(logger: FastifyServerOptions['logger']): FastifyServerOptions['logger'] {
  if (!logger) return false;
  const options = logger === true ? {} : logger;
  return { ...options, serializers: { ...options.serializers, ...EXCHANGE_LOG_SERIALIZERS } };
}

/** How often the answer counts are logged (and once more when the app closes). */
export const ANSWER_COUNT_INTERVAL_MS = 60_000;

/**
 * Counts answers by route pattern and status code and logs the counts once a minute at info, instead of a
 * line per request. The route is the pattern (`/api/v1/create`), never the URL a client sent. Costs
 * nothing when info is not logged.
 */
export function countAnswers(app: FastifyInstance, intervalMs = ANSWER_COUNT_INTERVAL_MS): void {
  const log = app.log as { isLevelEnabled?: (level: string) => boolean };
  if (typeof log.isLevelEnabled !== 'function' || !log.isLevelEnabled('info')) return;
  let counts = new Map<string, number>();
  let since = Date.now();
  app.addHook('onResponse', (request, reply, done) => {
    const key = `${request.method} ${request.routeOptions.url ?? '(no route)'} ${reply.statusCode}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    done();
  });
  const flush = () => {
    if (counts.size === 0) return;
    const answers = Object.fromEntries([...counts].sort(([a], [b]) => a.localeCompare(b)));
    const seconds = Math.round((Date.now() - since) / 1000);
    counts = new Map();
    since = Date.now();
    app.log.info({ answers, seconds }, '0trace answers by route and status');
  };
  const timer = setInterval(flush, intervalMs);
  timer.unref();
  app.addHook('onClose', (_instance, done) => {
    clearInterval(timer);
    flush();
    done();
  });
}
