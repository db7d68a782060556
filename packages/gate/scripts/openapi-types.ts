/**
 * The SDK's request and response types come from the server's own OpenAPI document, so the two cannot
 * drift: `npm run sdk:types` rewrites src/generated/openapi.ts, and test/openapi-types.test.ts fails when
 * the committed file differs from what the running server describes.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';

export const GENERATED_PATH = fileURLToPath(new URL('../src/generated/openapi.ts', import.meta.url));

const HEADER = `/**
 * Generated from GET /v1/openapi.json by \`npm run sdk:types\`; do not edit by hand.
 * test/openapi-types.test.ts fails when this file and the server disagree.
 */
`;

/** TypeScript source for one OpenAPI document (the server's GET /v1/openapi.json). */
export async function typesFor(document: object): Promise<string> {
  const ast = await openapiTS(document as Parameters<typeof openapiTS>[0], {
    exportType: true,
    alphabetize: true,
    // A default makes a request field optional, not required (the server fills it in).
    defaultNonNullable: false,
  });
  return HEADER + astToString(ast);
}

/** The document the API serves, built in-process on an in-memory database (nothing listens). */
async function serverDocument(): Promise<object> {
  const { buildApp } = await import('@0bit/api/app');
  const { openDatabase } = await import('@0bit/db/connection');
  const { SecretBox } = await import('@0bit/core/secret-box');
  const { EmbedTokens } = await import('@0bit/api/domain/embed-token');
  const database = await openDatabase({ dataDir: null });
  const app = await buildApp({
    db: database.db,
    box: new SecretBox(SecretBox.generateKey()),
    adminToken: 'unused',
    counter: null,
    tokens: new EmbedTokens([{ kid: 'k1', secret: 'unused-for-the-document' }], 60),
  });
  const response = await app.inject({ method: 'GET', url: '/v1/openapi.json' });
  await app.close();
  await database.close();
  return response.json();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(GENERATED_PATH, await typesFor(await serverDocument()));
  console.log(`wrote ${GENERATED_PATH}`);
}
