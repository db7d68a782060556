import type { FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'hub_session';
export const CSRF_COOKIE = 'hub_csrf';

const LOCAL = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** The cookie attributes: HttpOnly, SameSite=Lax, Secure unless the console is opened on localhost. */
export function cookieOptions(request: FastifyRequest) {
  const host = request.hostname.replace(/:\d+$/, '');
  return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: !LOCAL.has(host) };
}
