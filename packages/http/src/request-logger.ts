import { currentTraceId } from '@0bit/core/tracing';
import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';
import type { Bindings, ChildLoggerOptions, Logger } from 'pino';
import { redactUrl } from './redact.ts';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * A request's logger that becomes a real pino child (bound to the request id) the first time the request
 * logs at an enabled level. Fastify makes a child per request, and pino serialises its bindings at once:
 * at LOG_LEVEL=warn nearly every request logs nothing, so that work was thrown away on each of them.
 */
class LazyRequestLogger {
  private made: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: Logger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  private get real(): FastifyBaseLogger {
    this.made ??= this.parent.child(this.bindings, this.options);
    return this.made;
  }

  get level(): string {
    return this.made?.level ?? this.parent.level;
  }

  set level(level: string) {
    this.real.level = level;
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.real.child(bindings, options);
  }

  private log(level: Level, args: unknown[]): void {
    if (this.made || this.parent.isLevelEnabled(level))
      (this.real[level] as (...values: unknown[]) => void)(...args);
  }

  fatal(...args: unknown[]): void {
    this.log('fatal', args);
  }
  error(...args: unknown[]): void {
    this.log('error', args);
  }
  warn(...args: unknown[]): void {
    this.log('warn', args);
  }
  info(...args: unknown[]): void {
    this.log('info', args);
  }
  debug(...args: unknown[]): void {
    this.log('debug', args);
  }
  trace(...args: unknown[]): void {
    this.log('trace', args);
  }
  silent(): void {}
}

/** Fastify's `childLoggerFactory`: the lazy child above, or pino's own when a route sets its own level. */
export const lazyRequestLogger: NonNullable<FastifyServerOptions['childLoggerFactory']> = (
  logger,
  bindings,
  options,
) => {
  const parent = logger as Partial<Logger>;
  // Tracing on: each request's lines also name its trace (the request id, reqId, is always bound).
  const traceId = currentTraceId();
  if (traceId) bindings = { ...bindings, trace_id: traceId };
  if (options.level || typeof parent.isLevelEnabled !== 'function') return logger.child(bindings, options);
  // The class has every method FastifyBaseLogger names; pino's overloaded LogFn type is what needs the cast.
  return new LazyRequestLogger(parent as Logger, bindings, options) as unknown as FastifyBaseLogger;
};

/**
 * Pino serialisers of both APIs. The logged URL never holds a credential: query values named like one,
 * shaped like ours, or equal to a configured secret (`secrets`: the admin token) are redacted.
 */
export const logSerializersFor = (secrets: readonly string[]) => ({
  req: (req: { method: string; url: string; hostname?: string; ip?: string }) => ({
    method: req.method,
    url: redactUrl(req.url, secrets),
    host: req.hostname,
    remote_address: req.ip,
  }),
});
