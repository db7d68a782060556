import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { SECURITY_SCHEMES, SHARED_SCHEMAS } from './schemas.ts';

/** The path of the 0trace OpenAPI document; docs/exchange links it. */
export const OPENAPI_PATH = '/api/v1/openapi.json';

/**
 * The 0trace OpenAPI 3.1 document, built by @fastify/swagger from the route schemas (as 0Gate's is in
 * apps/api/src/app.ts), so it cannot drift from what the routes validate. Operator routes, /health and the
 * document itself are hidden; the sandbox simulator is tagged Sandbox.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: '0trace API',
        version: '1',
        description:
          'Signed partner API for quotes and crypto-to-crypto orders. Every route is a POST of a JSON body, signed with X-API-KEY, X-API-SIGN and X-API-NONCE (docs/exchange/authentication.md). Every answer is `{code, msg, data}`: code 0 on success, otherwise an error from docs/exchange/errors.md.',
      },
      servers: [
        {
          url: 'https://0trace.io',
          description: 'Production (live credentials) and sandbox (sandbox credentials)',
        },
        { url: 'http://localhost:4100', description: 'Local development (npm start, EXCHANGE_PORT)' },
      ],
      components: { securitySchemes: SECURITY_SCHEMES as never },
      tags: [
        { name: 'Orders', description: 'Quotes, orders and emergency choices (docs/exchange/quickstart.md)' },
        { name: 'Cabinet', description: 'Self-serve credentials, reference codes, orders and webhooks' },
        { name: 'Sandbox', description: 'Sandbox credentials only: simulate the chain' },
      ],
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);
  app.get(OPENAPI_PATH, { schema: { hide: true } }, async () => app.swagger());
}
