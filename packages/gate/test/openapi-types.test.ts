import { readFileSync } from 'node:fs';
import { useTestServer } from '@0bit/api/test-support/server';
import { describe, expect, it } from 'vitest';
import { GENERATED_PATH, typesFor } from '../scripts/openapi-types.ts';

const server = useTestServer();

describe('SDK types generated from the server', () => {
  it('match what the running server publishes at GET /v1/openapi.json (else: npm run sdk:types)', async () => {
    const response = await fetch(`${server.baseUrl}/v1/openapi.json`);
    expect(response.status).toBe(200);
    const expected = await typesFor(await response.json());
    const committed = readFileSync(GENERATED_PATH, 'utf8');
    // A plain equality check prints a huge diff; say what to run instead.
    expect(committed === expected, 'src/generated/openapi.ts is stale: run `npm run sdk:types`').toBe(true);
  });

  it('would notice a drift: a changed server document produces different types', async () => {
    const document = await (await fetch(`${server.baseUrl}/v1/openapi.json`)).json();
    document.components.schemas.GateSession.properties.status.enum.push('refunded');
    expect(await typesFor(document)).not.toBe(readFileSync(GENERATED_PATH, 'utf8'));
  });
});
