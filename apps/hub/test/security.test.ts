import { type HubHarness, startHubHarness } from '@0bit/server/test-support/hub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubClient } from './support/client.ts';

let hub: HubHarness;
beforeAll(async () => {
  hub = await startHubHarness();
});
afterAll(async () => {
  await hub?.close();
});

const PASSWORD = 'correct horse battery staple';
let seq = 0;
const email = (who: string) => `${who}.${Date.now()}.${seq++}@example.com`;

/** A partner with a signed-in owner. */
async function ownerOf(name = 'Acme') {
  const ownerEmail = email('owner');
  const partner = await hub.partnerWithOwner(name, ownerEmail);
  const owner = new HubClient(hub.hubUrl);
  expect((await owner.accept(partner.invitationUrl, PASSWORD)).status).toBe(303);
  const signed = await owner.signIn(ownerEmail, PASSWORD);
  expect(signed.status).toBe(303);
  return { ...partner, owner, ownerEmail };
}

/** The owner invites someone with `role`; they accept through the outbox link and sign in. */
async function teammate(owner: HubClient, role: 'developer' | 'viewer' | 'owner') {
  const who = email(role);
  const invited = await owner.submit('/team', '/team/invite', { email: who, role });
  expect(invited.status).toBe(200);
  const outbox = await new HubClient(hub.hubUrl).get('/outbox');
  const link = new RegExp(
    `To ${who.replace(/\./g, '\\.')}[\\s\\S]*?(http://[^"<\\s]+/invitations/[^"<\\s]+)`,
  ).exec(outbox.text)?.[1];
  expect(link).toBeTruthy();
  const client = new HubClient(hub.hubUrl);
  expect((await client.accept(link!.replace('&amp;', '&'), PASSWORD)).status).toBe(303);
  expect((await client.signIn(who, PASSWORD)).status).toBe(303);
  return { client, email: who };
}

const userIdOf = async (partnerId: string, who: string) =>
  (
    await hub.database.db
      .selectFrom('hub_users')
      .select('id')
      .where('partner_id', '=', partnerId)
      .where('email', '=', who)
      .executeTakeFirstOrThrow()
  ).id;

describe('Partner Hub: invitations and sign-in', () => {
  it('POST /admin/partners with owner_email answers a one-time invitation link that sets the password', async () => {
    const ownerEmail = email('Admin.Owner');
    const res = await fetch(`${hub.apiUrl}/admin/partners`, {
      method: 'POST',
      headers: { authorization: `Bearer ${hub.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Via admin', owner_email: ownerEmail }),
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as {
      owner_invitation: { email: string; url: string; expires_at: string };
    };
    expect(body.owner_invitation.email).toBe(ownerEmail.toLowerCase());
    expect(body.owner_invitation.url).toMatch(new RegExp(`^${hub.hubUrl}/invitations/[A-Za-z0-9_-]{43}$`));
    const client = new HubClient(hub.hubUrl);
    const page = await client.get(new URL(body.owner_invitation.url).pathname);
    expect(page.status).toBe(200);
    expect(page.text).toContain(ownerEmail.toLowerCase());
    // Too short a password is refused in words next to the field.
    const short = await client.accept(body.owner_invitation.url, 'short');
    expect(short.status).toBe(422);
    expect(short.text).toContain('at least 12 characters');
    expect((await client.accept(body.owner_invitation.url, PASSWORD)).status).toBe(303);
    // The link works once.
    expect((await client.get(new URL(body.owner_invitation.url).pathname)).status).toBe(404);
    const signed = await client.signIn(ownerEmail, PASSWORD);
    expect(signed.status).toBe(303);
    expect(signed.location).toBe('/');
    const keys = await client.get('/test/keys');
    expect(keys.status).toBe(200);
    expect(keys.text).toContain('Via admin');
    // The password is stored as an argon2id hash, never as text.
    const row = await hub.database.db
      .selectFrom('hub_users')
      .select('password_hash')
      .where('email', '=', ownerEmail.toLowerCase())
      .executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    // An email that already has an account cannot be given to another partner.
    const again = await fetch(`${hub.apiUrl}/admin/partners`, {
      method: 'POST',
      headers: { authorization: `Bearer ${hub.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Other', owner_email: ownerEmail }),
    });
    expect(again.status).toBe(409);
  });

  it('a wrong password is refused in plain words, the same for an unknown email', async () => {
    const { ownerEmail } = await ownerOf();
    const wrong = await new HubClient(hub.hubUrl).signIn(ownerEmail, 'not the password!');
    const unknown = await new HubClient(hub.hubUrl).signIn(email('nobody'), PASSWORD);
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.text).toContain('Email or password is wrong.');
    expect(unknown.text).toContain('Email or password is wrong.');
  });
});

describe('Partner Hub: sessions and cookies', () => {
  it('sets the session cookie HttpOnly, SameSite=Lax, Secure outside localhost', async () => {
    const { ownerEmail } = await ownerOf();
    const local = new HubClient(hub.hubUrl);
    const signed = await local.signIn(ownerEmail, PASSWORD);
    const cookie = signed.setCookies.find((c) => c.startsWith('hub_session='))!;
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).not.toMatch(/; Secure/);
    // Opened under a public name (behind a proxy): the cookie is Secure.
    const remote = new HubClient(hub.hubUrl);
    const host = { host: 'hub.example.com' };
    const page = await remote.get('/sign-in', host);
    expect(page.setCookies.find((c) => c.startsWith('hub_csrf='))).toMatch(/; Secure/);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    const remoteSigned = await remote.call('POST', '/sign-in', {
      form: { _csrf: token, email: ownerEmail, password: PASSWORD },
      headers: host,
    });
    expect(remoteSigned.status).toBe(303);
    expect(remoteSigned.setCookies.find((c) => c.startsWith('hub_session='))).toMatch(
      /; HttpOnly.*; Secure|; Secure.*; HttpOnly/,
    );
  });

  it('rotates the session id on sign-in: a planted or earlier session id is never the signed-in one', async () => {
    const { ownerEmail } = await ownerOf();
    const attacker = new HubClient(hub.hubUrl);
    await attacker.signIn(ownerEmail, PASSWORD);
    const planted = attacker.cookies.get('hub_session')!;
    // The victim's browser carries the planted id, then signs in.
    const victim = new HubClient(hub.hubUrl);
    victim.cookies.set('hub_session', planted);
    // (signed in with the planted id, the page's token is that session's; sign in again regardless)
    const token = await victim.csrf('/test/keys');
    const signed = await victim.call('POST', '/sign-in', {
      form: { _csrf: token, email: ownerEmail, password: PASSWORD },
    });
    expect(signed.status).toBe(303);
    const fresh = victim.cookies.get('hub_session')!;
    expect(fresh).not.toBe(planted);
    // The planted id is dead; the new one works.
    expect((await attacker.get('/test/keys')).status).toBe(303);
    expect((await victim.get('/test/keys')).status).toBe(200);
    // An id that was never issued signs nobody in.
    const forged = new HubClient(hub.hubUrl);
    forged.cookies.set('hub_session', 'x'.repeat(43));
    expect((await forged.get('/test/keys')).location).toBe('/sign-in?next=%2Ftest%2Fkeys');
  });

  it('sign-out ends the session; sign-out everywhere ends every session of that person', async () => {
    const { ownerEmail } = await ownerOf();
    const laptop = new HubClient(hub.hubUrl);
    const phone = new HubClient(hub.hubUrl);
    await laptop.signIn(ownerEmail, PASSWORD);
    await phone.signIn(ownerEmail, PASSWORD);
    const stolen = phone.cookies.get('hub_session')!;
    const out = await phone.submit('/test/keys', '/sign-out');
    expect(out.status).toBe(303);
    const replay = new HubClient(hub.hubUrl);
    replay.cookies.set('hub_session', stolen);
    expect((await replay.get('/test/keys')).status).toBe(303);
    await phone.signIn(ownerEmail, PASSWORD);
    expect((await laptop.submit('/team', '/sign-out-everywhere')).status).toBe(303);
    expect((await laptop.get('/test/keys')).status).toBe(303);
    expect((await phone.get('/test/keys')).status).toBe(303);
  });

  it('locks an account out after 5 attempts in 15 minutes, even with the right password then', async () => {
    const { ownerEmail } = await ownerOf();
    const client = new HubClient(hub.hubUrl);
    // ownerOf signed in once: with 4 wrong passwords that is 5 attempts; the 6th waits, right password or not.
    for (let i = 0; i < 4; i++)
      expect((await client.signIn(ownerEmail, `wrong password ${i}`)).status).toBe(401);
    const locked = await client.signIn(ownerEmail, PASSWORD);
    expect(locked.status).toBe(429);
    expect(locked.text).toContain('Too many sign-in attempts for this account');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(locked.setCookies.some((c) => c.startsWith('hub_session='))).toBe(false);
    // Another account from the same client is not locked by it.
    const other = await ownerOf();
    expect((await new HubClient(hub.hubUrl).signIn(other.ownerEmail, PASSWORD)).status).toBe(303);
  });
});

describe('Partner Hub: CSRF and headers', () => {
  it('refuses a state-changing call without the token, with another session’s token, or from another origin', async () => {
    const a = await ownerOf();
    const b = await ownerOf();
    const before = (await a.owner.get('/test/keys')).text.match(/<tr>/g)?.length ?? 0;
    const none = await a.owner.call('POST', '/test/keys', { form: { type: 'secret' } });
    expect(none.status).toBe(403);
    expect(none.text).toContain('did not come from the Partner Hub');
    const foreign = await a.owner.call('POST', '/test/keys', {
      form: { type: 'secret', _csrf: await b.owner.csrf('/test/keys') },
    });
    expect(foreign.status).toBe(403);
    const crossOrigin = await a.owner.call('POST', '/test/keys', {
      form: { type: 'secret', _csrf: await a.owner.csrf('/test/keys') },
      headers: { origin: 'https://evil.example' },
    });
    expect(crossOrigin.status).toBe(403);
    expect((await a.owner.get('/test/keys')).text.match(/<tr>/g)?.length ?? 0).toBe(before);
    // Sign-in itself needs the double-submit token (no login CSRF).
    const blind = await new HubClient(hub.hubUrl).call('POST', '/sign-in', {
      form: { email: a.ownerEmail, password: PASSWORD },
    });
    expect(blind.status).toBe(403);
    for (const path of ['/sign-out', '/sign-out-everywhere', '/team/invite', '/test/keys/x/revoke'])
      expect((await a.owner.call('POST', path, { form: {} })).status).toBe(403);
  });

  it('sends a strict Content-Security-Policy and no-store on every page', async () => {
    const { owner } = await ownerOf();
    for (const path of ['/sign-in', '/test/keys', '/live/keys', '/team', '/outbox', '/nowhere']) {
      const res = await (path === '/sign-in' ? new HubClient(hub.hubUrl) : owner).get(path);
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['cache-control']).toBe('no-store');
    }
  });

  it('renders a partner name and an invited email that hold markup as text', async () => {
    const xss = `<script>alert(1)</script><img src=x onerror=alert(2)>"'`;
    const { owner } = await ownerOf(xss);
    const page = await owner.get('/test/keys');
    expect(page.text).not.toContain('<script>alert(1)</script>');
    expect(page.text).not.toContain('<img src=x');
    expect(page.text).toContain(
      '&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&quot;&#39;',
    );
    const bad = await owner.submit('/team', '/team/invite', {
      email: '"><script>alert(3)</script>@x.io',
      role: 'viewer',
    });
    expect(bad.status).toBe(422);
    expect(bad.text).not.toContain('<script>alert(3)');
  });
});

describe('Partner Hub: roles and isolation', () => {
  it('a viewer sees keys without buttons and every change is refused with 403; a developer manages keys, not the team', async () => {
    const { owner, partnerId } = await ownerOf();
    const viewer = await teammate(owner, 'viewer');
    const developer = await teammate(owner, 'developer');
    const page = await viewer.client.get('/test/keys');
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('Create test key');
    expect(page.text).not.toContain('Revoke');
    const keyId = /\/test\/keys\/([0-9a-f]{24})\/revoke/.exec((await owner.get('/test/keys')).text)![1]!;
    const ownerId = await userIdOf(
      partnerId,
      (
        await hub.database.db
          .selectFrom('hub_users')
          .select('email')
          .where('partner_id', '=', partnerId)
          .where('role', '=', 'owner')
          .executeTakeFirstOrThrow()
      ).email,
    );
    const refused = async (client: HubClient, action: string, fields: Record<string, string> = {}) => {
      const res = await client.submit('/test/keys', action, fields);
      expect(res.status, `${action}`).toBe(403);
    };
    await refused(viewer.client, '/test/keys', { type: 'secret' });
    await refused(viewer.client, '/live/keys', { type: 'publishable' });
    await refused(viewer.client, `/test/keys/${keyId}/revoke`);
    expect((await viewer.client.get(`/test/keys/${keyId}/revoke`)).status).toBe(403);
    for (const client of [viewer.client, developer.client]) {
      await refused(client, '/team/invite', { email: email('sneaky'), role: 'owner' });
      await refused(client, `/team/${ownerId}/role`, { role: 'viewer' });
      await refused(client, `/team/${ownerId}/remove`);
    }
    expect((await developer.client.submit('/test/keys', '/test/keys', { type: 'publishable' })).status).toBe(
      201,
    );
    // Viewers and developers still read the team and sign themselves out.
    expect((await viewer.client.get('/team')).status).toBe(200);
    // Unauthenticated: pages redirect to sign-in, changes are refused.
    const anonymous = new HubClient(hub.hubUrl);
    for (const path of ['/test/keys', '/live/keys', '/team', `/test/keys/${keyId}/revoke`])
      expect((await anonymous.get(path)).location).toMatch(/^\/sign-in\?next=/);
    const token = await anonymous.csrf('/sign-in');
    expect(
      (await anonymous.call('POST', '/test/keys', { form: { _csrf: token, type: 'secret' } })).status,
    ).toBe(401);
  });

  it('owners change roles and remove teammates (their sessions end), never leaving the team without an owner', async () => {
    const { owner, partnerId, ownerEmail } = await ownerOf();
    const dev = await teammate(owner, 'developer');
    const devId = await userIdOf(partnerId, dev.email);
    const changed = await owner.submit('/team', `/team/${devId}/role`, { role: 'viewer' });
    expect(changed.status).toBe(200);
    expect(changed.text).toContain(`${dev.email} is now viewer.`);
    expect((await dev.client.submit('/test/keys', '/test/keys', { type: 'secret' })).status).toBe(403);
    const removed = await owner.submit('/team', `/team/${devId}/remove`);
    expect(removed.status).toBe(200);
    expect((await dev.client.get('/test/keys')).status).toBe(303);
    expect((await new HubClient(hub.hubUrl).signIn(dev.email, PASSWORD)).status).toBe(401);
    // The only owner cannot demote themself through another owner's absence.
    const second = await teammate(owner, 'owner');
    const ownerId = await userIdOf(partnerId, ownerEmail);
    expect((await second.client.submit('/team', `/team/${ownerId}/role`, { role: 'developer' })).status).toBe(
      200,
    );
    const lastOwnerId = await userIdOf(partnerId, second.email);
    const last = await owner.submit('/team', `/team/${lastOwnerId}/remove`);
    expect(last.status).toBe(403);
    // Every change is in the audit log with who, what, where from, before/after, and no secret.
    const audit = await hub.database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('partner_id', '=', partnerId)
      .execute();
    const actions = audit.map((a) => a.action);
    for (const action of [
      'hub.user.invite',
      'hub.user.accept_invitation',
      'hub.session.sign_in',
      'hub.user.change_role',
      'hub.user.remove',
    ])
      expect(actions).toContain(action);
    const roleChange = audit.find(
      (a) => a.action === 'hub.user.change_role' && a.target === `user:${devId}`,
    )!;
    expect(roleChange).toMatchObject({ actor_kind: 'user', ip: '127.0.0.1' });
    expect(roleChange.before).toMatchObject({ role: 'developer' });
    expect(roleChange.after).toMatchObject({ role: 'viewer' });
    expect(JSON.stringify(audit)).not.toMatch(/argon2|password|invitations\//);
  });

  it('one partner cannot see, revoke or change another partner’s keys or people', async () => {
    const a = await ownerOf('Partner A');
    const b = await ownerOf('Partner B');
    const aPage = (await a.owner.get('/test/keys')).text;
    const aKeyId = /\/test\/keys\/([0-9a-f]{24})\/revoke/.exec(aPage)![1]!;
    const aPrefix = /<code>(sk_test_[^<…]+)…<\/code>/.exec(aPage)![1]!;
    expect((await b.owner.get('/test/keys')).text).not.toContain(aPrefix);
    expect((await b.owner.get(`/test/keys/${aKeyId}/revoke`)).status).toBe(404);
    expect((await b.owner.submit('/test/keys', `/test/keys/${aKeyId}/revoke`)).status).toBe(404);
    const aOwnerId = await userIdOf(a.partnerId, a.ownerEmail);
    expect((await b.owner.submit('/team', `/team/${aOwnerId}/role`, { role: 'viewer' })).status).toBe(404);
    expect((await b.owner.submit('/team', `/team/${aOwnerId}/remove`)).status).toBe(404);
    expect((await b.owner.get('/team')).text).not.toContain(a.ownerEmail);
    expect((await a.owner.get('/test/keys')).text).toContain(aPrefix);
    expect((await a.owner.get('/test/keys')).status).toBe(200);
  });
});

describe('Partner Hub: API keys through the portal’s domain code', () => {
  it('creates a key shown once that works on the API, and revoking it makes the API answer 403', async () => {
    const { owner, partnerId } = await ownerOf();
    const created = await owner.submit('/test/keys', '/test/keys', { type: 'secret' });
    expect(created.status).toBe(201);
    const raw = /<code class="key" id="new-key">(sk_test_[A-Za-z0-9]{32})<\/code>/.exec(created.text)![1]!;
    const call = (key: string) =>
      fetch(`${hub.apiUrl}/v1/gate_sessions`, { headers: { authorization: `Bearer ${key}` } });
    expect((await call(raw)).status).toBe(200);
    // Shown once: the list never holds it again.
    const list = await owner.get('/test/keys');
    expect(list.text).not.toContain(raw);
    const id = (
      await hub.database.db
        .selectFrom('api_keys')
        .select('id')
        .where('display_prefix', '=', raw.slice(0, 12))
        .executeTakeFirstOrThrow()
    ).id;
    const confirm = await owner.get(`/test/keys/${id}/revoke`);
    expect(confirm.text).toContain('This cannot be undone');
    const revoked = await owner.submit(`/test/keys/${id}/revoke`, `/test/keys/${id}/revoke`);
    expect(revoked.status).toBe(303);
    expect((await call(raw)).status).toBe(403);
    // The portal API's rule in place: the last active secret key of a mode is not revoked (409).
    const live = (await owner.get('/live/keys')).text;
    const liveSecret = /<td data-label="Type">secret<\/td>[\s\S]*?\/live\/keys\/([0-9a-f]{24})\/revoke/.exec(
      live,
    )![1]!;
    const last = await owner.submit(`/live/keys/${liveSecret}/revoke`, `/live/keys/${liveSecret}/revoke`);
    expect(last.status).toBe(409);
    expect(last.text).toContain('last active live secret key');
    const audit = await hub.database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('partner_id', '=', partnerId)
      .execute();
    expect(
      audit
        .filter((a) => a.action.startsWith('gate.key.'))
        .map((a) => a.action)
        .sort(),
    ).toEqual(['gate.key.create', 'gate.key.revoke']);
    expect(JSON.stringify(audit)).not.toContain(raw);
  });
});

describe('Partner Hub: per-IP lock-out', () => {
  let small: HubHarness;
  beforeAll(async () => {
    small = await startHubHarness({ lockout: { perIp: 3 } });
  });
  afterAll(async () => {
    await small?.close();
  });

  it('locks an IP out after its attempts across accounts, before checking any password', async () => {
    const ownerEmail = email('ip-owner');
    const { invitationUrl } = await small.partnerWithOwner('IP test', ownerEmail);
    const client = new HubClient(small.hubUrl);
    expect((await client.accept(invitationUrl, PASSWORD)).status).toBe(303);
    for (let i = 0; i < 3; i++) expect((await client.signIn(email(`guess${i}`), PASSWORD)).status).toBe(401);
    const locked = await client.signIn(ownerEmail, PASSWORD);
    expect(locked.status).toBe(429);
    expect(locked.text).toContain('Too many sign-in attempts from your network');
  });
});
