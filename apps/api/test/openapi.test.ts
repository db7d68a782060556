import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it } from 'vitest';
import { documentedOperations, publishedShapes } from '../src/app.ts';
import { useTestServer } from './support/server.ts';

const server = useTestServer();

describe('GET /v1/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document generated from the route schemas', async () => {
    const res = await server.call('GET', '/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    const validated = await SwaggerParser.validate(structuredClone(res.body));
    expect(validated.info.title).toBe('0Gate API');
  });

  it('covers every public route with the spec operation ids, and hides operator and sandbox routes', async () => {
    const { body } = await server.call('GET', '/v1/openapi.json');
    const operations: Record<string, string> = {};
    for (const { method, path, operation } of documentedOperations(body))
      operations[`${method} ${path}`] = operation.operationId as string;
    expect(operations).toEqual({
      'GET /v1/gate_sessions': 'listSessions',
      'POST /v1/gate_sessions': 'createSession',
      'GET /v1/gate_sessions/{id}': 'retrieveSession',
      'POST /v1/gate_sessions/{id}/cancel': 'cancelSession',
      'GET /v1/events': 'listEvents',
      'GET /portal/webhook-endpoint': 'getWebhookEndpoint',
      'PUT /portal/webhook-endpoint': 'setWebhookEndpoint',
      'POST /portal/webhook-secret/rotate': 'rotateWebhookSecret',
      'GET /portal/webhook-deliveries': 'listWebhookDeliveries',
      'GET /portal/webhook-deliveries/{id}': 'retrieveWebhookDelivery',
      'POST /portal/webhook-deliveries/{id}/replay': 'replayWebhookDelivery',
      'POST /v1/embed/bootstrap': 'createEmbedToken',
      'GET /v1/embed/session': 'retrieveEmbedSession',
      'POST /v1/embed/quote': 'createWidgetQuote',
      'POST /v1/embed/kyc': 'verifyWidgetKyc',
      'POST /v1/embed/intents': 'createWidgetIntent',
      'GET /v1/embed/intents/current': 'currentWidgetIntent',
      'POST /v1/embed/cancel': 'cancelWidgetSession',
      'POST /v1/embed/intents/{id}/confirm': 'confirmWidgetIntent',
      'GET /v1/branding': 'getBranding',
      'PATCH /v1/branding': 'updateBranding',
      'POST /portal/keys': 'createKey',
      'GET /portal/keys': 'listKeys',
      'POST /portal/keys/{id}/revoke': 'revokeKey',
      'GET /portal/allowed-domains': 'getAllowedDomains',
      'PUT /portal/allowed-domains': 'setAllowedDomains',
      'GET /portal/usage': 'getUsage',
    });
  });

  it('publishes every shape of domain/shapes.ts that has an $id as a named component (so the SDK names it)', async () => {
    const { body } = await server.call('GET', '/v1/openapi.json');
    const ids = publishedShapes().map((schema) => schema.$id as string);
    expect(ids).toEqual(
      expect.arrayContaining(['GateSession', 'CreateSessionBody', 'WidgetIntent', 'Usage']),
    );
    expect(Object.keys(body.components.schemas)).toEqual(expect.arrayContaining([...ids, 'ErrorEnvelope']));
  });

  it('documents the request body, the GateSession shape and the error envelope', async () => {
    const { body } = await server.call('GET', '/v1/openapi.json');
    const create = body.paths['/gate_sessions'].post;
    const requestSchema = create.requestBody.content['application/json'].schema;
    expect(requestSchema.required.sort()).toEqual(['amount', 'currency', 'return_url']);
    expect(requestSchema.additionalProperties).toBe(false);
    expect(Object.keys(create.responses)).toEqual(
      expect.arrayContaining(['201', '400', '401', '403', '409', '422', '429']),
    );
    const session = body.components.schemas.GateSession;
    // The glossary's 18 fields, plus issue #15's additions (lock_wallet_address, the allow-lists, transaction_details).
    expect(Object.keys(session.properties)).toHaveLength(22);
    expect(body.components.schemas.ErrorEnvelope.required.sort()).toEqual(['error', 'message', 'statusCode']);
    expect(body.components.securitySchemes.secretKey).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('declares the contract /v1 base URLs as servers, with paths relative to them', async () => {
    const { body } = await server.call('GET', '/v1/openapi.json');
    expect(body.servers.map((s: { url: string }) => s.url)).toEqual([
      'https://gate-api-sandbox.0bit.app/v1',
      'https://gate-api.0bit.app/v1',
      'http://localhost:4000/v1',
    ]);
    // A client joining server and path must reach /v1/gate_sessions, not /v1/v1/gate_sessions.
    expect(
      new URL(`${body.servers[0].url}${Object.keys(body.paths).find((p) => p === '/gate_sessions')}`).href,
    ).toBe('https://gate-api-sandbox.0bit.app/v1/gate_sessions');
    expect(Object.keys(body.paths).filter((p) => p.startsWith('/v1/'))).toEqual([]);
    // The portal routes are not under /v1: their path items name the bare origins.
    expect(body.paths['/portal/keys'].servers.map((s: { url: string }) => s.url)).toEqual([
      'https://gate-api-sandbox.0bit.app',
      'https://gate-api.0bit.app',
      'http://localhost:4000',
    ]);
    expect(body.paths['/gate_sessions'].servers).toBeUndefined();
    // Every documented operation, joined with its server, is a route the server answers (not 404).
    for (const { method, path } of documentedOperations(body)) {
      const res = await server.call(method, path.replace('{id}', 'x'));
      expect(res.status, `${method} ${path}`).not.toBe(404);
    }
  });
});
