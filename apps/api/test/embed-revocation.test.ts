import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  bearer,
  SPEC_CREATE_BODY,
  type TestPartner,
  useTestServer,
  WIDGET_ORIGINS,
  writeHeaders,
} from './support/server.ts';

// Issue #14, finding 10: an embed token kept working for up to its hour after its publishable key was
// revoked. The key cache is on (as in production) to show revocation goes through it.
const server = useTestServer({ keyCacheTtlMs: 60_000 });
const PAGE = 'https://partner.example';

async function boundToken(p: TestPartner, pk: string) {
  const session = await server.call('POST', '/v1/gate_sessions', {
    headers: writeHeaders(p.keys.test.secret_key),
    body: { ...SPEC_CREATE_BODY, wallet_address: '0xabc' },
  });
  const boot = await server.call('POST', '/v1/embed/bootstrap', {
    headers: { ...bearer(pk), origin: PAGE },
    body: { clientSecret: session.body.client_secret },
  });
  expect(boot.status).toBe(200);
  return boot.body.token as string;
}

const fromWidget = (token: string) =>
  server.call('GET', '/v1/embed/session', {
    headers: { 'x-embed-token': token, origin: WIDGET_ORIGINS.test },
  });

async function keyId(p: TestPartner, prefix: string): Promise<string> {
  const list = await server.call('GET', '/portal/keys', { headers: bearer(p.keys.test.secret_key) });
  return list.body.data.find((k: { display_prefix: string }) => prefix.startsWith(k.display_prefix)).id;
}

describe('embed tokens die with the publishable key that minted them', () => {
  it('revoking the pk in the portal makes its embed tokens answer 403 at once', async () => {
    const p = await server.partner({ allowed_domains: [PAGE] });
    const pk = p.keys.test.publishable_key;
    const token = await boundToken(p, pk);
    expect((await fromWidget(token)).status).toBe(200);

    const revoked = await server.call('POST', `/portal/keys/${await keyId(p, pk)}/revoke`, {
      headers: writeHeaders(p.keys.test.secret_key),
      body: {},
    });
    expect(revoked.status).toBe(200);

    const after = await fromWidget(token);
    expect(after.status).toBe(403);
    expect(after.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
    expect(after.body.message).toContain('publishable key that issued this embed token has been revoked');
  });

  it("another key's revocation leaves the token working; a rolled key's tokens work until its revocation time", async () => {
    const p = await server.partner({ allowed_domains: [PAGE] });
    const pk = p.keys.test.publishable_key;
    const created = await server.call('POST', '/portal/keys', {
      headers: writeHeaders(p.keys.test.secret_key),
      body: { type: 'publishable' },
    });
    const token = await boundToken(p, pk);
    await server.call('POST', `/portal/keys/${created.body.id}/revoke`, {
      headers: writeHeaders(p.keys.test.secret_key),
      body: {},
    });
    expect((await fromWidget(token)).status).toBe(200);
    await server.call('POST', `/portal/keys/${await keyId(p, pk)}/revoke`, {
      headers: writeHeaders(p.keys.test.secret_key),
      body: { expires_in: 3600 },
    });
    expect((await fromWidget(token)).status).toBe(200);
  });

  it('refuses a token that names no key, or a key of another partner', async () => {
    const p = await server.partner({ allowed_domains: [PAGE] });
    const other = await server.partner({ allowed_domains: [PAGE] });
    const token = await boundToken(p, p.keys.test.publishable_key);
    const otherToken = await boundToken(other, other.keys.test.publishable_key);
    const { kid, secret } = server.embedKeys[0]!;
    const sign = (header: Record<string, unknown>) =>
      new SignJWT(decodeJwt(token))
        .setProtectedHeader({ alg: 'HS256', kid, ...header })
        .sign(new TextEncoder().encode(secret));
    const unnamed = await fromWidget(await sign({}));
    expect(unnamed.status).toBe(401);
    expect(unnamed.body.message).toContain('does not name its publishable key');
    const foreign = await fromWidget(await sign({ key_id: decodeProtectedHeader(otherToken).key_id }));
    expect(foreign.status).toBe(401);
  });
});
