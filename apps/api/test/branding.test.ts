import { describe, expect, it } from 'vitest';
import { bearer, useTestServer, writeHeaders } from './support/server.ts';

const server = useTestServer();
const DEFAULT = {
  logo_url: null,
  primary_color: null,
  secondary_color: null,
  accent_color: null,
  brand_name: null,
};

describe('branding', () => {
  it('starts as default (all null), merges a PATCH, and null clears one field', async () => {
    const { keys } = await server.partner();
    const sk = keys.test.secret_key;
    expect((await server.call('GET', '/v1/branding', { headers: bearer(sk) })).body).toEqual(DEFAULT);
    // The spec's example, verbatim.
    const first = await server.call('PATCH', '/v1/branding', {
      headers: writeHeaders(sk),
      body: { logo_url: 'https://partner.example/logo.png', primary_color: '#FF4B1F', brand_name: 'Partner' },
    });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      ...DEFAULT,
      logo_url: 'https://partner.example/logo.png',
      primary_color: '#FF4B1F',
      brand_name: 'Partner',
    });
    const second = await server.call('PATCH', '/v1/branding', {
      headers: writeHeaders(sk),
      body: { accent_color: '#00aa11' },
    });
    expect(second.body).toMatchObject({
      primary_color: '#FF4B1F',
      accent_color: '#00AA11',
      brand_name: 'Partner',
    });
    const cleared = await server.call('PATCH', '/v1/branding', {
      headers: writeHeaders(sk),
      body: { brand_name: null },
    });
    expect(cleared.body).toMatchObject({
      brand_name: null,
      primary_color: '#FF4B1F',
      logo_url: 'https://partner.example/logo.png',
    });
    expect((await server.call('GET', '/v1/branding', { headers: bearer(sk) })).body).toEqual(cleared.body);
    // Per mode: live is untouched.
    expect(
      (await server.call('GET', '/v1/branding', { headers: bearer(keys.live.secret_key) })).body,
    ).toEqual(DEFAULT);
  });

  it('trims brand_name and shows the branding in effect at bootstrap', async () => {
    const p = await server.partner({ allowed_domains: ['https://partner.example'] });
    await server.call('PATCH', '/v1/branding', {
      headers: writeHeaders(p.keys.test.secret_key),
      body: { brand_name: '  Acme  ', secondary_color: '#123456' },
    });
    const boot = await server.call('POST', '/v1/embed/bootstrap', {
      headers: { ...bearer(p.keys.test.publishable_key), origin: 'https://partner.example' },
      body: {},
    });
    expect(boot.body.branding).toEqual({ ...DEFAULT, brand_name: 'Acme', secondary_color: '#123456' });
  });

  it.each([
    ['unknown key', { font: 'Inter' }, 'unknown field "font"'],
    ['two unknown keys', { font: 'x', radius: 4 }, 'unknown field "radius"'],
    ['http logo', { logo_url: 'http://partner.example/logo.png' }, 'https URL'],
    ['relative logo', { logo_url: '/logo.png' }, 'https URL'],
    ['short hex', { primary_color: '#FFF' }, '#RRGGBB'],
    ['named colour', { accent_color: 'red' }, '#RRGGBB'],
    ['hex without #', { secondary_color: 'FF4B1F' }, '#RRGGBB'],
    ['empty brand name', { brand_name: '   ' }, '1–64'],
    ['long brand name', { brand_name: 'x'.repeat(65) }, '1–64'],
    ['colour as number', { primary_color: 0xff4b1f }, 'must be a string'],
  ])('refuses %s with 422 naming the problem', async (_name, body, phrase) => {
    const { keys } = await server.partner();
    const res = await server.call('PATCH', '/v1/branding', {
      headers: writeHeaders(keys.test.secret_key),
      body,
    });
    expect(res.status).toBe(422);
    expect(res.body.message.join(' ')).toContain(phrase);
    expect(
      (await server.call('GET', '/v1/branding', { headers: bearer(keys.test.secret_key) })).body,
    ).toEqual(DEFAULT);
  });

  it('takes Idempotency-Key like other writes, and refuses publishable keys', async () => {
    const { keys } = await server.partner();
    expect(
      (
        await server.call('PATCH', '/v1/branding', {
          headers: { ...bearer(keys.test.secret_key), 'idempotency-key': undefined },
          body: {},
        })
      ).status,
    ).toBe(400);
    expect(
      (await server.call('GET', '/v1/branding', { headers: bearer(keys.test.publishable_key) })).status,
    ).toBe(403);
  });
});
