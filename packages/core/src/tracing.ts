import {
  type Attributes,
  type Link,
  type Span,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
} from '@opentelemetry/api';

/**
 * Spans of the platform's own work (webhook attempts, provider calls), through the OpenTelemetry API only.
 * The SDK (exporters, instrumentations) is started by the composition root when the OTEL_* variables ask
 * for it (apps/server/src/tracing.ts) and then calls `tracingStarted()`; until then every helper here is one
 * boolean test and a direct call: with tracing off nothing is measured and no SDK is loaded.
 */
let active = false;

/** Called by the composition root once an SDK is registered (and by its shutdown, with false). */
export function tracingStarted(on = true): void {
  active = on;
}

export const tracingActive = (): boolean => active;

/** The span attribute naming the API request a span belongs to (the X-Request-Id / reqId of the logs). */
export const REQUEST_ID_ATTRIBUTE = 'request.id';

const tracer = () => trace.getTracer('0bit');

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  links?: Link[];
  /** Start a trace of its own (a webhook attempt: linked to the request's trace, not inside it). */
  root?: boolean;
  /** Only inside a span (a request, an attempt): background polling makes no traces of its own. */
  requireParent?: boolean;
}

/** The request id of the active span, as attributes for a span started under it. */
function inheritedAttributes(attributes: Attributes | undefined): Attributes | undefined {
  const id = currentRequestId();
  return id && !attributes?.[REQUEST_ID_ATTRIBUTE]
    ? { [REQUEST_ID_ATTRIBUTE]: id, ...attributes }
    : attributes;
}

/** Runs `work` inside a span (active for what it calls); errors mark the span and are rethrown. */
export async function withSpan<T>(
  name: string,
  options: SpanOptions,
  work: (span: Span | undefined) => Promise<T>,
): Promise<T> {
  if (!active || (options.requireParent && !trace.getActiveSpan())) return work(undefined);
  const { kind = SpanKind.INTERNAL, links, root } = options;
  const attributes = root ? options.attributes : inheritedAttributes(options.attributes);
  return tracer().startActiveSpan(
    name,
    { kind, ...(attributes ? { attributes } : {}), ...(links ? { links } : {}), ...(root ? { root } : {}) },
    async (span) => {
      try {
        return await work(span);
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/** The active span's attributes (an SDK span keeps them readable), or undefined. */
function activeAttributes(): Attributes | undefined {
  return (trace.getActiveSpan() as unknown as { attributes?: Attributes } | undefined)?.attributes;
}

/** The request id of the active span (set on the request's span; child spans inherit it), or null. */
export function currentRequestId(): string | null {
  if (!active) return null;
  const id = activeAttributes()?.[REQUEST_ID_ATTRIBUTE];
  return typeof id === 'string' ? id : null;
}

/**
 * Names the active span (an HTTP request's server span) after its route and tags it with the request id,
 * which every span started under it inherits (`currentRequestId`).
 */
export function annotateRequestSpan(requestId: string, method: string, route: string | undefined): void {
  if (!active) return;
  const span = trace.getActiveSpan();
  if (!span) return;
  span.setAttribute(REQUEST_ID_ATTRIBUTE, requestId);
  if (route) {
    span.setAttribute('http.route', route);
    span.updateName(`${method} ${route}`);
  }
}

/** The active trace's id, for log lines (tracing on), or null. */
export function currentTraceId(): string | null {
  if (!active) return null;
  const context = trace.getActiveSpan()?.spanContext();
  return context && trace.isSpanContextValid(context) ? context.traceId : null;
}

/** The active span as a W3C `traceparent` (carried with an outbox event to its delivery), or null. */
export function currentTraceparent(): string | null {
  if (!active) return null;
  const context = trace.getActiveSpan()?.spanContext();
  if (!context || !trace.isSpanContextValid(context)) return null;
  const flags = context.traceFlags & TraceFlags.SAMPLED ? '01' : '00';
  return `00-${context.traceId}-${context.spanId}-${flags}`;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** A link to the span a stored `traceparent` names (invalid or absent: none). */
export function linkTo(traceparent: string | null | undefined, attributes?: Attributes): Link[] {
  const match = traceparent ? TRACEPARENT.exec(traceparent) : null;
  if (!match) return [];
  const context = { traceId: match[1]!, spanId: match[2]!, traceFlags: Number.parseInt(match[3]!, 16) };
  if (!trace.isSpanContextValid(context)) return [];
  return [{ context: { ...context, isRemote: true }, ...(attributes ? { attributes } : {}) }];
}

/**
 * Wraps every method of a provider (card rail, KYC, settlement, chain) so each call is a CLIENT span
 * `provider <name>.<method>`. Only applied when tracing is on; otherwise the provider is returned as is.
 */
export function tracedProvider<T extends object>(name: string, provider: T): T {
  if (!active) return provider;
  return new Proxy(provider, {
    get(target, property) {
      // The provider itself is `this` for its getters and methods (they may use private fields).
      const value = Reflect.get(target, property, target);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      const spanName = `provider ${name}.${property}`;
      const own = { 'provider.name': name, 'provider.operation': property };
      return (...args: unknown[]) =>
        tracer().startActiveSpan(
          spanName,
          { kind: SpanKind.CLIENT, attributes: inheritedAttributes(own) },
          (span) => {
            const fail = (error: unknown) => {
              span.recordException(error as Error);
              span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
            };
            let result: unknown;
            try {
              result = value.apply(target, args);
            } catch (error) {
              fail(error);
              span.end();
              throw error;
            }
            // Most calls answer a promise: the span lasts until it settles. A plain value ends it at once.
            if (result instanceof Promise)
              return result.then(
                (answer) => {
                  span.end();
                  return answer;
                },
                (error) => {
                  fail(error);
                  span.end();
                  throw error;
                },
              );
            span.end();
            return result;
          },
        );
    },
  });
}

export { type Span, SpanKind };
