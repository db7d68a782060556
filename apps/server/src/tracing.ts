import { createRequire } from 'node:module';
import type { Env } from '@0bit/core/settings';
import { currentRequestId, REQUEST_ID_ATTRIBUTE, tracingStarted } from '@0bit/core/tracing';
import type { Span } from '@opentelemetry/api';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Unit } from './units.ts';

/**
 * OpenTelemetry tracing: off by default, on when the standard OTEL_* variables ask for it
 * (docs/operating-build-tracing.md). When off, nothing of the SDK is imported: `startTracing` reads the
 * environment and returns. When on, the Node SDK exports spans as the OTEL_* variables say (OTLP by default)
 * for HTTP in and out, PostgreSQL queries, Redis commands and fetch, plus the platform's own spans
 * (webhook attempts, provider calls: @0bit/core/tracing). Traces only: metrics are /metrics, logs are stdout.
 */
export interface Tracing {
  /** Flushes and stops the exporter (the entry's last unit to stop). */
  stop(): Promise<void>;
}

const truthy = (value: string | undefined) =>
  ['true', '1', 'yes', 'on'].includes((value ?? '').toLowerCase());

/**
 * Whether the environment asks for traces: OTEL_TRACES_EXPORTER names an exporter other than `none`, or an
 * OTLP endpoint is set (the exporter then defaults to otlp). OTEL_SDK_DISABLED=true wins over both.
 */
export function tracingRequested(env: Env): boolean {
  if (truthy(env.OTEL_SDK_DISABLED)) return false;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name && name !== 'none');
  if (exporters.length > 0) return true;
  if ((env.OTEL_TRACES_EXPORTER ?? '').trim()) return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/** Every span started inside a request carries its id (the parent's attribute, read when the span starts). */
const withRequestId = (span: Span) => {
  const id = currentRequestId();
  if (id) span.setAttribute(REQUEST_ID_ATTRIBUTE, id);
};
const requestIdAttributes = () => {
  const id = currentRequestId();
  return id ? { [REQUEST_ID_ATTRIBUTE]: id } : {};
};

/**
 * Starts tracing if the environment asks for it (or a test passes its own span processors), before the
 * entry opens its database and servers. The modules the instrumentations patch may already be loaded (the
 * entry's imports): each is required once more after the SDK starts, which patches it in place.
 */
export async function startTracing(options: {
  /** service.name unless OTEL_SERVICE_NAME sets one. */
  serviceName: string;
  env?: Env;
  /** Tests: where spans go instead of the exporters the OTEL_* variables name. */
  spanProcessors?: SpanProcessor[];
}): Promise<Tracing | null> {
  const env = options.env ?? process.env;
  if (!options.spanProcessors && !tracingRequested(env)) return null;
  const [{ NodeSDK }, { HttpInstrumentation }, { UndiciInstrumentation }, { PgInstrumentation }, ioredis] =
    await Promise.all([
      import('@opentelemetry/sdk-node'),
      import('@opentelemetry/instrumentation-http'),
      import('@opentelemetry/instrumentation-undici'),
      import('@opentelemetry/instrumentation-pg'),
      import('@opentelemetry/instrumentation-ioredis'),
    ]);
  const sdk = new NodeSDK({
    ...(env.OTEL_SERVICE_NAME ? {} : { serviceName: options.serviceName }),
    ...(options.spanProcessors ? { spanProcessors: options.spanProcessors } : {}),
    // Traces only: no OTLP metrics or logs are started by the variables that enable traces.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        startOutgoingSpanHook: requestIdAttributes,
      }),
      new UndiciInstrumentation({ startSpanHook: requestIdAttributes }),
      // Queries and commands inside a request or a webhook attempt; the worker's polling is not traced.
      new PgInstrumentation({ requireParentSpan: true, requestHook: withRequestId }),
      new ioredis.IORedisInstrumentation({ requireParentSpan: true, requestHook: withRequestId }),
    ],
  });
  sdk.start();
  // Patch the modules the entry's imports already loaded (in place: their prototypes and module objects).
  const require = createRequire(import.meta.url);
  for (const name of ['node:http', 'node:https', 'pg', 'ioredis'])
    try {
      require(name);
    } catch {
      // Not installed for this entry: nothing to patch.
    }
  tracingStarted(true);
  return {
    stop: async () => {
      tracingStarted(false);
      await sdk.shutdown();
    },
  };
}

/**
 * Tracing as the first unit of an entry: stopped last, so the spans of the shutdown itself are exported.
 * With tracing off it only says so.
 */
export function tracingUnit(tracing: Tracing | null): Unit {
  return {
    name: 'tracing',
    start: async () => (tracing ? ['  Tracing: on (OpenTelemetry, OTEL_* variables)'] : []),
    stop: async () => {
      await tracing?.stop();
    },
  };
}
