import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@0bit/testing/process';
import SwaggerParser from '@apidevtools/swagger-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { V2_ROUTES } from '../src/http/signature-v2.ts';
import { type Credentials, FLOAT_ORDER, useExchangeServer } from './support/server.ts';

/**
 * GET /api/v1/openapi.json: the 0trace OpenAPI 3.1 document, generated from the schemas the routes validate
 * with (docs/exchange/reference.md), and the /create field table of the docs kept equal to it.
 */
const server = useExchangeServer();

interface Operation {
  operationId: string;
  tags: string[];
  security: Array<Record<string, string[]>>;
  requestBody: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content: Record<string, { schema: Schema }> }>;
}
interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean;
  $ref?: string;
}
// biome-ignore lint/suspicious/noExplicitAny: the document is checked by SwaggerParser, then read loosely
let document: any;

beforeAll(async () => {
  const res = await server.call('GET', '/api/v1/openapi.json');
  expect(res.status).toBe(200);
  document = JSON.parse(res.text);
});

const operations = () =>
  Object.entries(document.paths as Record<string, Record<string, Operation>>).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ method, path, op })),
  );

describe('GET /api/v1/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document (SwaggerParser), served without a credential', async () => {
    expect(document.openapi).toBe('3.1.0');
    const validated = await SwaggerParser.validate(structuredClone(document));
    expect(validated.info.title).toBe('0trace API');
  });

  it('documents every partner route by operation id; operator routes, /health and itself are hidden', () => {
    const ids = Object.fromEntries(
      operations().map(({ method, path, op }) => [`${method.toUpperCase()} ${path}`, op.operationId]),
    );
    expect(ids).toEqual({
      'POST /api/v1/price': 'price',
      'POST /api/v1/create': 'createOrder',
      'POST /api/v1/order': 'getOrder',
      'POST /api/v1/emergency': 'resolveEmergency',
      'POST /api/v1/sandbox/deposit': 'simulateDeposit',
      'POST /api/v1/cabinet/credentials/rotate': 'rotateCredentials',
      'POST /api/v1/cabinet/webhook-secret/rotate': 'rotateWebhookSecret',
      'POST /api/v1/cabinet/signing': 'setSigning',
      'POST /api/v1/cabinet/orders': 'listOrders',
      'POST /api/v1/cabinet/refcodes': 'listRefcodes',
      'POST /api/v1/cabinet/refcodes/create': 'createRefcode',
      'POST /api/v1/cabinet/refcodes/update': 'updateRefcode',
      'POST /api/v1/cabinet/webhooks': 'listWebhookDeliveries',
      'POST /api/v1/cabinet/webhooks/retrieve': 'retrieveWebhookDelivery',
      'POST /api/v1/cabinet/webhooks/replay': 'replayWebhookDelivery',
    });
    expect(document.paths['/api/v1/sandbox/deposit'].post.tags).toEqual(['Sandbox']);
  });

  it('names the signature headers as security schemes, the timestamp on the v2-only routes', () => {
    const schemes = document.components.securitySchemes;
    expect(
      Object.fromEntries(
        ['apiKey', 'signature', 'nonce', 'timestamp'].map((name) => [
          name,
          [schemes[name].in, schemes[name].name],
        ]),
      ),
    ).toEqual({
      apiKey: ['header', 'X-API-KEY'],
      signature: ['header', 'X-API-SIGN'],
      nonce: ['header', 'X-API-NONCE'],
      timestamp: ['header', 'X-API-TIMESTAMP'],
    });
    for (const { path, op } of operations()) {
      const needed = ['apiKey', 'nonce', 'signature', ...(V2_ROUTES.has(path) ? ['timestamp'] : [])];
      expect(
        op.security.map((requirement) => Object.keys(requirement).sort()),
        path,
      ).toEqual([needed]);
    }
  });

  it('documents each request body strictly and each answer in the {code, msg, data} envelope', () => {
    for (const { path, op } of operations()) {
      const body = op.requestBody.content['application/json']!.schema;
      expect(body.type, path).toBe('object');
      expect(body.additionalProperties, path).toBe(false);
      const okSchema = op.responses['200']!.content['application/json']!.schema;
      expect(Object.keys(okSchema.properties ?? {}), path).toEqual(['code', 'msg', 'data']);
      for (const status of ['400', '401', '429'])
        expect(op.responses[status]!.content['application/json']!.schema.$ref, `${path} ${status}`).toBe(
          '#/components/schemas/ErrorEnvelope',
        );
    }
    const create = document.paths['/api/v1/create'].post as Operation;
    expect(create.responses['200']!.content['application/json']!.schema.properties!.data!.$ref).toBe(
      '#/components/schemas/CreatedOrder',
    );
    expect(document.components.schemas.CreatedOrder.required).toEqual(
      expect.arrayContaining(['id', 'token', 'status', 'from', 'to', 'expiresAt']),
    );
  });

  it('is what the routes validate: a body the document refuses is refused, with data.errors', async () => {
    const creds: Credentials = await server.onboard();
    const res = await server.signed('/api/v1/create', { ...FLOAT_ORDER, toAddress: 7, extra: 1 }, creds);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 1, msg: 'INVALID_REQUEST' });
    expect(res.body.data.errors).toEqual(
      expect.arrayContaining([
        'toAddress must be a string',
        expect.stringContaining('unknown field "extra"'),
      ]),
    );
  });
});

/** The rows after `<!-- marker -->` in a docs/exchange page, cells split on unescaped pipes. */
function tableAfter(doc: string, marker: string): string[][] {
  const text = readFileSync(join(REPO_ROOT, 'docs/exchange', doc), 'utf8');
  const lines = text
    .slice(text.indexOf(`<!-- ${marker} -->`))
    .split('\n')
    .slice(1);
  const table = lines.slice(
    0,
    lines.findIndex((line) => !line.startsWith('|')),
  );
  return table.slice(2).map((line) =>
    line
      .split(/(?<!\\)\|/)
      .slice(1, -1)
      .map((cell) => cell.trim().replace(/`/g, '')),
  );
}

describe('docs/exchange/reference.md', () => {
  it('links the OpenAPI document', () => {
    expect(readFileSync(join(REPO_ROOT, 'docs/exchange/reference.md'), 'utf8')).toContain(
      'GET /api/v1/openapi.json',
    );
  });

  it('lists exactly the /create fields the OpenAPI request schema declares, and which are required', () => {
    const schema = (document.paths['/api/v1/create'].post as Operation).requestBody.content[
      'application/json'
    ]!.schema;
    const documented = tableAfter('reference.md', 'create-fields').map(([field, , required]) => [
      field,
      required,
    ]);
    const declared = Object.keys(schema.properties!).map((field) => [
      field,
      schema.required!.includes(field) ? 'yes' : 'no',
    ]);
    expect(documented.sort()).toEqual(declared.sort());
  });
});
