import { AppError, AuthenticationError, PermissionError } from '@0bit/core/errors';
import type { Mode } from '@0bit/core/scope';
import { toIso } from '@0bit/core/time';
import type { Db } from '@0bit/db/connection';
import type { WindowCounter } from '@0bit/http/counters';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  acceptInvitation,
  CAN_MANAGE_KEYS,
  CAN_MANAGE_TEAM,
  dropSession,
  type HubSession,
  type Lockout,
  openInvitation,
  signIn,
  signOut,
} from '../domain/auth.ts';
import { createKey, type KeySummary, listKeys, type PortalKeys, revokeKey } from '../domain/keys.ts';
import { type Mailer, outbox } from '../domain/mail.ts';
import { partnerNameOf } from '../domain/partner.ts';
import { MIN_PASSWORD } from '../domain/passwords.ts';
import { changeRole, inviteTeammate, listTeam, parseRole, removeTeammate } from '../domain/team.ts';
import { cookieOptions, SESSION_COOKIE } from './cookies.ts';
import { esc, form, type Html, html, notice, page, shell } from './html.ts';

export interface RouteDeps {
  db: Db;
  keys: PortalKeys;
  counter: WindowCounter;
  mailer: Mailer;
  publicUrl: string;
  devOutbox: boolean;
  lockout: Lockout;
  anonymousCsrf(request: FastifyRequest, reply: FastifyReply): string;
}

const send = (reply: FastifyReply, body: string, status = 200) =>
  reply.code(status).type('text/html; charset=utf-8').send(body);

const field = (request: FastifyRequest, name: string): string => {
  const value = (request.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
};

const modeOf = (value: string): Mode => {
  if (value === 'test' || value === 'live') return value;
  throw new AppError('not_found', 'No such page');
};

const when = (iso: string | null) =>
  iso ? html`<time datetime="${iso}">${iso.replace('T', ' ').slice(0, 16)} UTC</time>` : 'never';

/** Every console route (docs/hub.md). Pages answer GET; changes are form POSTs that redirect (303). */
export function hubRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { db } = deps;

  /** The signed-in person, or a redirect to the sign-in page (GET) / 401 (POST). */
  const signedIn = (request: FastifyRequest): HubSession => {
    if (!request.hub) throw new AuthenticationError('Sign in to continue.');
    return request.hub;
  };
  app.addHook('preHandler', async (request, reply) => {
    const open = ['/sign-in', '/assets/', '/invitations/', '/health', '/outbox', '/favicon.ico'];
    if (request.hub || open.some((p) => request.url.startsWith(p))) return;
    if (request.method === 'GET') {
      const next = encodeURIComponent(request.url);
      return reply.redirect(`/sign-in?next=${next}`, 303);
    }
  });

  const shellFor = async (session: HubSession, mode: Mode, section: 'keys' | 'team') => ({
    partnerName: await partnerNameOf(db, session.partnerId),
    email: session.email,
    role: session.role,
    csrf: session.csrfToken,
    mode,
    section,
    outbox: deps.devOutbox,
  });

  // ---- sign-in, invitations, sign-out ----

  const signInPage = (
    csrf: string,
    options: { error?: string; info?: string; email?: string; next?: string },
  ) =>
    page(
      'Sign in',
      html`<main id="main" class="center"><div class="card">
<h1>Sign in to the Partner Hub</h1>
${notice('ok', options.info)}${notice('error', options.error)}
<form method="post" action="/sign-in">
<input type="hidden" name="_csrf" value="${csrf}">
<input type="hidden" name="next" value="${options.next ?? ''}">
<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required value="${options.email ?? ''}">
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<p><button type="submit">Sign in</button></p>
</form>
${deps.devOutbox ? html`<p class="muted">Development: invitations are in the <a href="/outbox">outbox</a>.</p>` : ''}
</div></main>`,
    );

  const safeNext = (next: string) => (/^\/(?!\/)[A-Za-z0-9/_?=&%.-]*$/.test(next) ? next : '/');

  app.get('/', async (_request, reply) => reply.redirect('/test/keys', 303));

  app.get('/sign-in', async (request, reply) => {
    if (request.hub) return reply.redirect('/test/keys', 303);
    const q = request.query as { next?: string; accepted?: string; signed_out?: string };
    return send(
      reply,
      signInPage(deps.anonymousCsrf(request, reply), {
        next: typeof q.next === 'string' ? q.next : '',
        info: q.accepted
          ? 'Your password is set. Sign in with it now.'
          : q.signed_out
            ? 'You are signed out.'
            : undefined,
      }),
    );
  });

  app.post('/sign-in', async (request, reply) => {
    const email = field(request, 'email');
    const presented = request.cookies[SESSION_COOKIE];
    try {
      const { token } = await signIn(
        db,
        deps.counter,
        {
          email,
          password: field(request, 'password'),
          ip: request.ip,
        },
        deps.lockout,
      );
      // A new session id on every sign-in: whatever id the browser had (planted or old) is ended, not reused.
      if (presented) await dropSession(db, presented);
      reply.setCookie(SESSION_COOKIE, token, cookieOptions(request));
      return reply.redirect(safeNext(field(request, 'next')), 303);
    } catch (error) {
      if (!(error instanceof AppError) || (error.kind !== 'unauthenticated' && error.kind !== 'rate_limited'))
        throw error;
      if (error.kind === 'rate_limited')
        reply.header(
          'Retry-After',
          String((error as { retryAfterSeconds?: number }).retryAfterSeconds ?? 60),
        );
      return send(
        reply,
        signInPage(deps.anonymousCsrf(request, reply), {
          error: error.message,
          email,
          next: field(request, 'next'),
        }),
        error.kind === 'rate_limited' ? 429 : 401,
      );
    }
  });

  const invitationPage = (csrf: string, token: string, email: string, error?: string) =>
    page(
      'Accept invitation',
      html`<main id="main" class="center"><div class="card">
<h1>Join the Partner Hub</h1>
<p>Choose a password for <strong>${email}</strong>.</p>
${notice('error', error)}
<form method="post" action="/invitations/${encodeURIComponent(token)}">
<input type="hidden" name="_csrf" value="${csrf}">
<input type="hidden" name="email" value="${email}" autocomplete="username">
<label for="password">New password (at least ${MIN_PASSWORD} characters)</label>
<input id="password" name="password" type="password" autocomplete="new-password" minlength="${MIN_PASSWORD}" required>
<p><button type="submit">Set password</button></p>
</form></div></main>`,
    );
  const invalidInvitation = (reply: FastifyReply) =>
    send(
      reply,
      page(
        'Invitation',
        html`<main id="main" class="center"><div class="card"><h1>This link no longer works</h1>${notice('error', 'The invitation was already used or has expired. Ask an owner of your team to invite you again.')}<p><a href="/sign-in">Sign in</a></p></div></main>`,
      ),
      404,
    );

  app.get('/invitations/:token', async (request, reply) => {
    const { token } = request.params as { token: string };
    const invitation = await openInvitation(db, token);
    if (!invitation) return invalidInvitation(reply);
    return send(reply, invitationPage(deps.anonymousCsrf(request, reply), token, invitation.email));
  });

  app.post('/invitations/:token', async (request, reply) => {
    const { token } = request.params as { token: string };
    const invitation = await openInvitation(db, token);
    if (!invitation) return invalidInvitation(reply);
    try {
      await acceptInvitation(db, token, field(request, 'password'), request.ip);
    } catch (error) {
      if (error instanceof AppError && error.kind === 'invalid_request')
        return send(
          reply,
          invitationPage(deps.anonymousCsrf(request, reply), token, invitation.email, error.message),
          422,
        );
      throw error;
    }
    return reply.redirect('/sign-in?accepted=1', 303);
  });

  app.post('/sign-out', async (request, reply) => {
    await signOut(db, signedIn(request), request.ip, false);
    reply.clearCookie(SESSION_COOKIE, cookieOptions(request));
    return reply.redirect('/sign-in?signed_out=1', 303);
  });
  app.post('/sign-out-everywhere', async (request, reply) => {
    await signOut(db, signedIn(request), request.ip, true);
    reply.clearCookie(SESSION_COOKIE, cookieOptions(request));
    return reply.redirect('/sign-in?signed_out=1', 303);
  });

  // ---- API keys ----

  const keysPage = async (
    session: HubSession,
    mode: Mode,
    extra: { created?: KeySummary & { key: string }; error?: string; info?: string } = {},
  ) => {
    const keys = await listKeys(deps.keys, db, session, mode);
    const canManage = CAN_MANAGE_KEYS.includes(session.role);
    const rows = keys.map(
      (k) => html`<tr>
<td data-label="Type">${k.type}</td>
<td data-label="Key"><code>${k.display_prefix}…</code></td>
<td data-label="Created">${when(k.created_at)}</td>
<td data-label="Last used">${when(k.last_used_at)}</td>
<td data-label="Status">${k.revoked_at ? html`revoked ${when(k.revoked_at)}` : 'active'}</td>
<td data-label="Actions">${
        canManage && !k.revoked_at
          ? html`<a href="/${mode}/keys/${k.id}/revoke" aria-label="Revoke ${k.type} key ${k.display_prefix}">Revoke</a>`
          : ''
      }</td></tr>`,
    );
    const created = extra.created
      ? html`<div class="card" role="status"><h2>Your new ${extra.created.type} key</h2>
${notice('warn', 'Copy it now: this is the only time the full key is shown. Store it in your secret manager.')}
<code class="key" id="new-key">${extra.created.key}</code>
<button type="button" data-copy="new-key">Copy key</button></div>`
      : '';
    const createForm = canManage
      ? html`<div class="card"><h2>Create a key</h2>${form(
          `/${mode}/keys`,
          session.csrfToken,
          html`<label for="type">Type</label><select id="type" name="type"><option value="secret">Secret (server side)</option><option value="publishable">Publishable (browser)</option></select>
<p><button type="submit">Create ${mode} key</button></p>`,
        )}</div>`
      : html`<p class="muted">Your role (viewer) can see keys but not create or revoke them.</p>`;
    return shell(
      await shellFor(session, mode, 'keys'),
      `API keys (${mode})`,
      html`${notice('error', extra.error)}${notice('ok', extra.info)}${created}
<p class="muted">Keys of ${mode} mode. The last active secret key cannot be revoked: create a new one first (the portal API answers 409 for the same reason).</p>
${keys.length === 0 ? html`<p>No keys yet.</p>` : html`<table><caption class="muted">${keys.length} key${keys.length === 1 ? '' : 's'}</caption><thead><tr><th scope="col">Type</th><th scope="col">Key</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">Status</th><th scope="col">Actions</th></tr></thead><tbody>${rows}</tbody></table>`}
${createForm}`,
    );
  };

  app.get('/:mode/keys', async (request, reply) => {
    const mode = modeOf((request.params as { mode: string }).mode);
    const q = request.query as { revoked?: string };
    return send(
      reply,
      await keysPage(signedIn(request), mode, { info: q.revoked ? 'The key is revoked.' : undefined }),
    );
  });

  app.post('/:mode/keys', async (request, reply) => {
    const mode = modeOf((request.params as { mode: string }).mode);
    const session = signedIn(request);
    const created = await createKey(deps.keys, db, session, mode, field(request, 'type'), request.ip);
    // The raw key is in this answer only; reloading does not show it again.
    return send(reply, await keysPage(session, mode, { created }), 201);
  });

  app.get('/:mode/keys/:id/revoke', async (request, reply) => {
    const { mode: m, id } = request.params as { mode: string; id: string };
    const mode = modeOf(m);
    const session = signedIn(request);
    if (!CAN_MANAGE_KEYS.includes(session.role))
      throw new PermissionError(`Your role (${session.role}) cannot revoke keys.`);
    const key = (await listKeys(deps.keys, db, session, mode)).find((k) => k.id === id);
    if (!key) throw new AppError('not_found', 'No such key');
    return send(
      reply,
      shell(
        await shellFor(session, mode, 'keys'),
        'Revoke key',
        html`<div class="card"><p>Revoke the ${key.type} key <code>${key.display_prefix}…</code>? Requests made with it are refused from now on. This cannot be undone.</p>
${form(`/${mode}/keys/${key.id}/revoke`, session.csrfToken, html`<button type="submit" class="danger">Revoke key</button> <a href="/${mode}/keys">Cancel</a>`)}</div>`,
      ),
    );
  });

  app.post('/:mode/keys/:id/revoke', async (request, reply) => {
    const { mode: m, id } = request.params as { mode: string; id: string };
    const mode = modeOf(m);
    const session = signedIn(request);
    try {
      await revokeKey(deps.keys, db, session, mode, id, request.ip);
    } catch (error) {
      if (error instanceof AppError && error.kind === 'conflict')
        return send(reply, await keysPage(session, mode, { error: error.message }), 409);
      throw error;
    }
    return reply.redirect(`/${mode}/keys?revoked=1`, 303);
  });

  // ---- team ----

  const teamPage = async (session: HubSession, mode: Mode, extra: { error?: string; info?: string } = {}) => {
    const team = await listTeam(db, session);
    const owner = CAN_MANAGE_TEAM.includes(session.role);
    const roleSelect = (id: string, current: string) =>
      html`<label for="role-${id}" class="sr">Role</label><select id="role-${id}" name="role">${[
        'owner',
        'developer',
        'viewer',
      ].map(
        (r) => html`<option value="${r}"${r === current ? html` selected` : ''}>${r}</option>`,
      )}</select>`;
    const rows = team.map(
      (
        m,
      ) => html`<tr><td data-label="Email">${m.email}</td><td data-label="Role">${m.role}</td><td data-label="Status">${m.active ? 'active' : 'invited'}</td>
<td data-label="Actions">${
        owner && m.id !== session.userId
          ? html`${form(`/team/${m.id}/role?mode=${mode}`, session.csrfToken, html`${roleSelect(m.id, m.role)} <button type="submit">Change role</button>`, { cls: 'inline' })}
${form(`/team/${m.id}/remove?mode=${mode}`, session.csrfToken, html`<button type="submit" class="danger">Remove</button>`, { cls: 'inline', confirm: `Remove ${m.email} from the team?` })}`
          : ''
      }</td></tr>`,
    );
    return shell(
      await shellFor(session, mode, 'team'),
      'Team',
      html`${notice('error', extra.error)}${notice('ok', extra.info)}
<table><thead><tr><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Status</th><th scope="col">Actions</th></tr></thead><tbody>${rows}</tbody></table>
${
  owner
    ? html`<div class="card"><h2>Invite a teammate</h2>${form(
        `/team/invite?mode=${mode}`,
        session.csrfToken,
        html`<label for="invite-email">Email</label><input id="invite-email" name="email" type="email" required>
<label for="invite-role">Role</label><select id="invite-role" name="role"><option value="developer">developer</option><option value="viewer">viewer</option><option value="owner">owner</option></select>
<p><button type="submit">Send invitation</button></p>`,
      )}</div>`
    : ''
}
<div class="card"><h2>Your sessions</h2>${form('/sign-out-everywhere', session.csrfToken, html`<button type="submit" class="danger">Sign out everywhere</button>`)}</div>`,
    );
  };

  const teamMode = (request: FastifyRequest): Mode =>
    (request.query as { mode?: string }).mode === 'live' ? 'live' : 'test';

  app.get('/team', async (request, reply) =>
    send(reply, await teamPage(signedIn(request), teamMode(request))),
  );

  const teamChange = async (
    request: FastifyRequest,
    reply: FastifyReply,
    change: (s: HubSession) => Promise<string>,
  ) => {
    const session = signedIn(request);
    const mode = teamMode(request);
    try {
      const info = await change(session);
      return send(reply, await teamPage(session, mode, { info }));
    } catch (error) {
      if (error instanceof AppError && ['conflict', 'invalid_request', 'not_found'].includes(error.kind))
        return send(
          reply,
          await teamPage(session, mode, { error: error.message }),
          error.kind === 'not_found' ? 404 : error.kind === 'conflict' ? 409 : 422,
        );
      throw error;
    }
  };

  app.post('/team/invite', async (request, reply) =>
    teamChange(request, reply, async (session) => {
      const member = await inviteTeammate(
        db,
        deps.mailer,
        deps.publicUrl,
        session,
        { email: field(request, 'email'), role: parseRole(field(request, 'role')) },
        request.ip,
      );
      return `Invitation sent to ${member.email}${deps.mailer.smtp ? '' : ' (development: see the outbox)'}.`;
    }),
  );
  app.post('/team/:id/role', async (request, reply) =>
    teamChange(request, reply, async (session) => {
      const member = await changeRole(
        db,
        session,
        (request.params as { id: string }).id,
        parseRole(field(request, 'role')),
        request.ip,
      );
      return `${member.email} is now ${member.role}.`;
    }),
  );
  app.post('/team/:id/remove', async (request, reply) =>
    teamChange(request, reply, async (session) => {
      await removeTeammate(db, session, (request.params as { id: string }).id, request.ip);
      return 'Removed from the team; their sessions have ended.';
    }),
  );

  // ---- development outbox ----

  app.get('/outbox', async (_request, reply) => {
    if (!deps.devOutbox) throw new AppError('not_found', 'No such page');
    const mails = await outbox(db);
    return send(
      reply,
      page(
        'Outbox',
        html`<main id="main"><h1>Outbox (development)</h1>
<p class="muted">SMTP_URL is not set, so the Hub writes its mail here instead of sending it. Never enabled in production.</p>
${mails.length === 0 ? html`<p>No mail yet.</p>` : mails.map((m) => html`<article class="card"><h2>${m.subject}</h2><p>To ${m.recipient}, ${when(toIso(m.created_at))}</p><pre>${linkify(m.body)}</pre></article>`)}
<p><a href="/">Back to the console</a></p></main>`,
      ),
    );
  });
}

/** Escapes the mail body and makes its http(s) links clickable. */
function linkify(text: string): Html {
  const parts = text.split(/(https?:\/\/[^\s<>"']+)/g);
  return html`${parts.map((part, i) => (i % 2 === 1 ? html`<a href="${part}">${part}</a>` : esc(part)))}`;
}
