import { createRequire } from 'node:module';
import { bearer, SPEC_CREATE_BODY, useTestServer, writeHeaders } from '@0bit/api/test-support/server';
import { tracedProvider, tracingActive } from '@0bit/core/tracing';
import { type Receiver, startReceiver } from '@0bit/testing/receiver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTracing, tracingRequested } from '../src/tracing.ts';

/** Tracing is off unless the OTEL_* variables ask for it, and then nothing of the SDK is even loaded. */
const server = useTestServer({ webhooks: { retrySchedule: '0.2', timeoutMs: 2_000 } });
let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => receiver?.close());

const sdkModulesLoaded = () =>
  Object.keys(createRequire(import.meta.url).cache).filter((path) =>
    /@opentelemetry[\\/](sdk-|instrumentation|exporter-)/.test(path),
  );

describe('tracing off (the default)', () => {
  it('is requested only by the standard OTEL_* variables', () => {
    expect(tracingRequested({})).toBe(false);
    expect(tracingRequested({ OTEL_SERVICE_NAME: 'gate' })).toBe(false);
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'none' })).toBe(false);
    expect(
      tracingRequested({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }),
    ).toBe(false);
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'otlp' })).toBe(true);
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'console' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(
      true,
    );
    expect(tracingRequested({ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' })).toBe(false);
  });

  it('loads no SDK, wraps no provider and stores no trace context with a webhook', async () => {
    expect(await startTracing({ serviceName: 'off', env: {} })).toBeNull();
    expect(tracingActive()).toBe(false);
    const provider = { call: async () => 1 };
    expect(tracedProvider('p', provider)).toBe(provider);

    const { keys } = await server.partner();
    const sk = keys.test.secret_key;
    await server.call('PUT', '/portal/webhook-endpoint', {
      headers: bearer(sk),
      body: { url: receiver.url },
    });
    const created = await server.call('POST', '/v1/gate_sessions', {
      headers: writeHeaders(sk),
      body: SPEC_CREATE_BODY,
    });
    expect(created.status).toBe(201);
    const [delivered] = await receiver.waitFor(1);
    expect(delivered!.headers.traceparent).toBeUndefined();
    const row = await server.database.db
      .selectFrom('webhook_deliveries')
      .select(['traceparent', 'request_id'])
      .where('session_id', '=', created.body.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ traceparent: null, request_id: null });
    expect(sdkModulesLoaded()).toEqual([]);
  });
});
