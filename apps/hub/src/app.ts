import { timingSafeEqual } from 'node:crypto';
import { AppError, RateLimitError, STATUS_BY_KIND } from '@0bit/core/errors';
import type { Db } from '@0bit/db/connection';
import { newToken } from '@0bit/db/people';
import { MemoryCounter, type WindowCounter } from '@0bit/http/counters';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import Fastify, { type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { type HubSession, LOCKOUT, type Lockout, sessionFor } from './domain/auth.ts';
import type { PortalKeys } from './domain/keys.ts';
import { Mailer } from './domain/mail.ts';
import { CSRF_COOKIE, cookieOptions, SESSION_COOKIE } from './http/cookies.ts';
import { CSS, html, JS, notice, page } from './http/html.ts';
import { hubRoutes } from './http/routes.ts';

export interface HubDeps {
  db: Db;
  /** The portal API's key functions (apps/server wires @0bit/api/domain/portal-keys). */
  keys: PortalKeys;
  /** Sign-in lock-out counters, shared with the APIs (Redis when REDIS_URL is set); memory when null. */
  counter: WindowCounter | null;
  /** The Hub's public origin (invitation links). */
  publicUrl: string;
  smtpUrl?: string | undefined;
  mailFrom?: string;
  /** Show the outbox page (development without SMTP_URL); never in production. */
  devOutbox?: boolean;
  trustProxy?: boolean;
  /** Sign-in lock-out limits (tests lower or raise them); LOCKOUT by default. */
  lockout?: Lockout;
  logger?: FastifyServerOptions['logger'];
}

declare module 'fastify' {
  interface FastifyRequest {
    hub: HubSession | null;
  }
}

const same = (a: string | undefined, b: string | undefined): boolean =>
  !!a && !!b && a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * The Partner Hub console (docs/hub.md): server-rendered pages and the form posts behind them, signed in with
 * a server-side session cookie. Every state-changing request carries a CSRF token: the session's
 * synchronizer token once signed in, a double-submit cookie before (sign-in, accepting an invitation).
 */
export async function buildHub(deps: HubDeps) {
  const app = Fastify({
    logger: deps.logger ?? false,
    trustProxy: deps.trustProxy ?? false,
    bodyLimit: 16 * 1024,
  });
  const counter = deps.counter ?? new MemoryCounter();
  const mailer = new Mailer({ smtpUrl: deps.smtpUrl, from: deps.mailFrom ?? 'Partner Hub <hub@localhost>' });
  app.addHook('onClose', async () => {
    mailer.close();
    if (!deps.counter) await counter.close();
  });
  await app.register(fastifyCookie);
  await app.register(fastifyFormbody);
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
    },
    // Plain http on localhost must not be upgraded; behind TLS the proxy sets HSTS (docs/hub.md).
    strictTransportSecurity: false,
    // Same-origin requests keep their Origin header (no-referrer would make a browser send `Origin: null`).
    referrerPolicy: { policy: 'same-origin' },
  });
  app.decorateRequest('hub', null);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('Cache-Control', 'no-store');
    request.hub = await sessionFor(deps.db, request.cookies[SESSION_COOKIE]);
  });

  // CSRF: every POST must carry the token (form field `_csrf` or header X-CSRF-Token) and, when the browser
  // says where it comes from, come from this origin.
  app.addHook('preHandler', async (request) => {
    if (request.method === 'GET' || request.method === 'HEAD') return;
    const body = request.body as Record<string, unknown> | undefined;
    const sent =
      (typeof body?._csrf === 'string' ? body._csrf : undefined) ??
      (request.headers['x-csrf-token'] as string | undefined);
    const expected = request.hub ? request.hub.csrfToken : request.cookies[CSRF_COOKIE];
    const origin = request.headers.origin;
    const host = request.host;
    // `null` (a privacy setting, a sandboxed frame) says nothing: the token alone decides then.
    const originOk = !origin || origin === 'null' || safeHost(origin) === host;
    if (!same(sent, expected) || !originOk)
      throw new AppError(
        'forbidden',
        'This form has expired or did not come from the Partner Hub. Reload the page and try again.',
        {
          code: 'csrf_refused',
        },
      );
  });

  app.setErrorHandler(async (error: unknown, request, reply) => {
    const status = statusOf(error);
    if (status >= 500) request.log.error({ err: error }, 'hub request failed');
    const message =
      status >= 500 ? 'Something went wrong on our side. Try again in a moment.' : (error as Error).message;
    if (error instanceof RateLimitError) reply.header('Retry-After', String(error.retryAfterSeconds));
    return reply
      .code(status)
      .type('text/html; charset=utf-8')
      .send(
        page(
          'Error',
          html`<main id="main" class="center"><div class="card"><h1>${status === 403 ? 'Not allowed' : status === 404 ? 'Not found' : 'Something is wrong'}</h1>${notice('error', message)}<p><a href="/">Back to the console</a></p></div></main>`,
        ),
      );
  });
  app.setNotFoundHandler(async (_request, reply) =>
    reply
      .code(404)
      .type('text/html; charset=utf-8')
      .send(
        page(
          'Not found',
          html`<main id="main" class="center"><div class="card"><h1>Not found</h1><p><a href="/">Back to the console</a></p></div></main>`,
        ),
      ),
  );

  app.get('/assets/hub.css', async (_r, reply) => reply.type('text/css; charset=utf-8').send(CSS));
  app.get('/assets/hub.js', async (_r, reply) => reply.type('text/javascript; charset=utf-8').send(JS));
  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/favicon.ico', async (_r, reply) => reply.code(204).send());

  hubRoutes(app, {
    db: deps.db,
    keys: deps.keys,
    counter,
    mailer,
    publicUrl: deps.publicUrl,
    devOutbox: (deps.devOutbox ?? false) && !mailer.smtp,
    lockout: deps.lockout ?? LOCKOUT,
    /** A fresh double-submit token for the anonymous forms (sign-in, invitation). */
    anonymousCsrf(request: FastifyRequest, reply: FastifyReply): string {
      const existing = request.cookies[CSRF_COOKIE];
      if (existing && existing.length === 43) return existing;
      const token = newToken();
      reply.setCookie(CSRF_COOKIE, token, { ...cookieOptions(request), sameSite: 'strict' });
      return token;
    },
  });
  return app;
}

function safeHost(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}

function statusOf(error: unknown): number {
  if (error instanceof AppError) return STATUS_BY_KIND[error.kind];
  const code = (error as { statusCode?: number }).statusCode;
  return typeof code === 'number' && code >= 400 && code < 500 ? code : 500;
}
