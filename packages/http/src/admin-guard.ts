import { createHash, timingSafeEqual } from 'node:crypto';
import { AuthenticationError } from '@0bit/core/errors';
import type { FastifyRequest } from 'fastify';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** Admin routes: `Authorization: Bearer $ADMIN_TOKEN`, compared in constant time. */
export function adminGuard(adminToken: string) {
  const expected = sha256(adminToken);
  return async (request: FastifyRequest): Promise<void> => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    if (!match)
      throw new AuthenticationError('Missing admin token; send "Authorization: Bearer <ADMIN_TOKEN>"');
    if (!timingSafeEqual(sha256(match[1]!), expected)) throw new AuthenticationError('Invalid admin token');
  };
}
