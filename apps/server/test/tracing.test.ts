import {
  bearer,
  SPEC_CREATE_BODY,
  startTestServer,
  type TestServer,
  writeHeaders,
} from '@0bit/api/test-support/server';
import { REQUEST_ID_ATTRIBUTE, SpanKind, withSpan } from '@0bit/core/tracing';
import { send } from '@0bit/testing/http';
import { type Receiver, startReceiver } from '@0bit/testing/receiver';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rampProviders } from '../src/providers.ts';
import { startTracing, type Tracing } from '../src/tracing.ts';

/**
 * Tracing on, with an in-memory exporter in place of the OTLP one: the spans of a session create (HTTP,
 * database) and of its webhook's delivery attempt, which starts a trace of its own linked to the create's.
 * Every span carries the id of the request it belongs to. Runs on PGlite and PostgreSQL.
 */
const exporter = new InMemorySpanExporter();
let tracing: Tracing | null;
let server: TestServer;
let receiver: Receiver;
/** The API's request log (pino lines). */
const logLines: string[] = [];

beforeAll(async () => {
  tracing = await startTracing({
    serviceName: 'tracing-test',
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  server = await startTestServer({
    webhooks: { retrySchedule: '0.2,0.2', timeoutMs: 2_000 },
    logger: { level: 'info', stream: { write: (line: string) => logLines.push(line) } },
  });
  receiver = await startReceiver();
});

afterAll(async () => {
  await server?.close();
  await receiver?.close();
  await tracing?.stop();
});

const spans = () => exporter.getFinishedSpans();
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

async function eventually<T>(find: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > until)
      throw new Error(
        `no ${what} among: ${spans()
          .map((s) => s.name)
          .join(', ')}`,
      );
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('tracing (OpenTelemetry, in-memory exporter)', () => {
  it('links the webhook attempt to the session create that produced its event, request id on every span', async () => {
    const { keys } = await server.partner();
    const sk = keys.test.secret_key;
    const endpoint = await server.call('PUT', '/portal/webhook-endpoint', {
      headers: bearer(sk),
      body: { url: receiver.url },
    });
    expect(endpoint.status).toBe(200);

    // Over a socket (server.call goes in memory): the HTTP server span comes from node:http's instrumentation.
    const created = await send(server.baseUrl, 'POST', '/v1/gate_sessions', {
      headers: writeHeaders(sk),
      body: SPEC_CREATE_BODY,
    });
    expect(created.status).toBe(201);
    const requestId = created.headers['request-id'] as string;
    expect(requestId).toMatch(/^req_/);

    // The create's HTTP server span: named after its route, tagged with the request id.
    const createSpan = await eventually(
      () =>
        spans().find((s) => s.kind === SpanKind.SERVER && s.attributes[REQUEST_ID_ATTRIBUTE] === requestId),
      'server span of the create',
    );
    expect(createSpan.name).toBe('POST /v1/gate_sessions');
    expect(createSpan.attributes['http.route']).toBe('/v1/gate_sessions');
    const trace = createSpan.spanContext().traceId;

    // Its log lines name the request and the trace.
    const lines = logLines.map((l) => JSON.parse(l)).filter((l) => l.reqId === requestId);
    expect(lines.map((l) => l.msg)).toEqual(['incoming request', 'request completed']);
    for (const line of lines) expect(line.trace_id).toBe(trace);

    // Its database queries are spans of the same trace, with the same request id.
    const queries = spans().filter(
      (s) =>
        s.spanContext().traceId === trace &&
        s.kind === SpanKind.CLIENT &&
        (s.attributes['db.system'] === 'postgresql' || s.attributes['db.system.name'] === 'postgresql'),
    );
    expect(queries.length).toBeGreaterThan(0);
    for (const query of queries) expect(query.attributes[REQUEST_ID_ATTRIBUTE]).toBe(requestId);

    // The delivery attempt: a trace of its own, linked to the create's span, carrying its request id.
    await receiver.waitFor(1);
    const attempt = await eventually(
      () => spans().find((s) => s.name.startsWith('webhook attempt') && s.links.length > 0),
      'webhook attempt span',
    );
    expect(attempt.name).toBe('webhook attempt gate_session.created');
    expect(attempt.spanContext().traceId).not.toBe(trace);
    expect(attempt.links[0]!.context.traceId).toBe(trace);
    expect(attempt.links[0]!.context.spanId).toBe(createSpan.spanContext().spanId);
    expect(attempt.attributes[REQUEST_ID_ATTRIBUTE]).toBe(requestId);
    expect(attempt.attributes['webhook.outcome']).toBe('succeeded');
    expect(attempt.attributes['http.response.status_code']).toBe(200);

    // The POST to the partner is a client span under the attempt, with the request id too.
    const post = spans().find(
      (s) => parentOf(s) === attempt.spanContext().spanId && s.kind === SpanKind.CLIENT && s.name === 'POST',
    );
    expect(
      post,
      spans()
        .map((s) => `${s.name}/${s.kind}`)
        .join(', '),
    ).toBeDefined();
    expect(post!.attributes[REQUEST_ID_ATTRIBUTE]).toBe(requestId);
    // The partner's server received the trace context (W3C traceparent) of that POST.
    expect(receiver.received[0]!.headers.traceparent).toContain(attempt.spanContext().traceId);
  });

  it('makes a span of each provider call, with the request id of the span it runs under', async () => {
    const providers = rampProviders();
    await withSpan('request', { attributes: { [REQUEST_ID_ATTRIBUTE]: 'req_provider' } }, () =>
      providers.test.kyc.verify({
        firstName: 'Ada',
        lastName: 'Lovelace',
        dateOfBirth: '1990-01-01',
        country: 'DE',
      }),
    );
    const call = spans().find((s) => s.name === 'provider kyc.verify');
    expect(call?.kind).toBe(SpanKind.CLIENT);
    expect(call?.attributes[REQUEST_ID_ATTRIBUTE]).toBe('req_provider');
    // A synchronous provider method stays synchronous.
    expect(typeof providers.test.settlement.depositAddress('USDT', 'arbitrum', 'ref_1')).toBe('string');
  });
});
