import { createHash } from 'node:crypto';
import { AppError, BadRequestError, ConflictError, ValidationError } from '@0bit/core/errors';
import { isUuid } from '@0bit/core/ids';
import type { SecretBox } from '@0bit/core/secret-box';
import type { Db } from '@0bit/db/connection';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { claimKey, findKey, insertResponse, saveResponse } from '../store/idempotency.ts';
import { scopeOf } from './auth.ts';
import { toErrorResponse } from './errors.ts';

export interface HandlerResult {
  status: number;
  body: unknown;
}

/** Key order must not change the fingerprint: `{"a":1,"b":2}` and `{"b":2,"a":1}` are the same request. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

/**
 * Declared on every partner write (the glossary: "Writes require an Idempotency-Key UUID") so the OpenAPI and
 * the SDK types carry it. Optional in the schema: readIdempotencyKey checks it, so a missing or malformed key
 * gets one clear 400 instead of a schema 422.
 */
export const IdempotencyHeader = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      description:
        'Required. A UUID you store with the write and reuse only to retry it: the retry gets the original answer with Idempotent-Replayed: true.',
    }),
  ),
});

export function readIdempotencyKey(request: FastifyRequest): string {
  const raw = request.headers['idempotency-key'];
  const key = Array.isArray(raw) ? raw[0] : raw;
  if (!key)
    throw new BadRequestError(
      'Idempotency-Key header is required on this request: send a UUID (e.g. from crypto.randomUUID()) stored with your order, and reuse it when you retry',
    );
  if (!isUuid(key))
    throw new BadRequestError('Idempotency-Key must be a UUID such as 00000000-0000-4000-8000-000000000123');
  return key.toLowerCase();
}

/**
 * Runs a write at most once per (partner, mode, Idempotency-Key). The claim, the write, its events and the
 * stored response commit in one transaction, so a crash never leaves a write without its replayable
 * response. A concurrent request with the same key waits for that transaction, then replays its answer.
 * Domain 4xx answers are stored too (the retry gets the same answer); 5xx are not (the retry runs again).
 */
export async function runIdempotent(
  deps: { db: Db; box: SecretBox },
  request: FastifyRequest,
  reply: FastifyReply,
  handler: (trx: Db) => Promise<HandlerResult>,
): Promise<FastifyReply> {
  const key = readIdempotencyKey(request);
  const { scope } = scopeOf(request);
  const path = request.url.split('?')[0];
  const fingerprint = createHash('sha256')
    .update(`${request.method} ${path}\n${canonicalJson(request.body ?? {})}`)
    .digest('hex');

  let outcome: { result: HandlerResult } | { replay: Awaited<ReturnType<typeof findKey>> };
  try {
    outcome = await deps.db.transaction().execute(async (trx) => {
      if (!(await claimKey(trx, scope, key, fingerprint))) return { replay: await findKey(trx, scope, key) };
      const result = await handler(trx);
      await saveResponse(trx, scope, key, result.status, deps.box.seal(JSON.stringify(result.body)));
      return { result };
    });
  } catch (error) {
    if (error instanceof AppError) {
      const body = toErrorResponse(error);
      if (body.statusCode < 500)
        await insertResponse(
          deps.db,
          scope,
          key,
          fingerprint,
          body.statusCode,
          deps.box.seal(JSON.stringify(body)),
        );
    }
    throw error;
  }

  if ('result' in outcome) return reply.code(outcome.result.status).send(outcome.result.body);
  const stored = outcome.replay;
  if (!stored || stored.response_status === null || stored.response_body_sealed === null)
    throw new ConflictError(
      'A request with this Idempotency-Key is still being processed; retry in a moment',
    );
  if (stored.fingerprint !== fingerprint)
    throw new ValidationError([
      `Idempotency-Key ${key} was already used with a different request (method, path or body). Reuse a key only to retry the identical request; use a new key for a new request.`,
    ]);
  return reply
    .code(stored.response_status)
    .header('Idempotent-Replayed', 'true')
    .send(JSON.parse(deps.box.open(stored.response_body_sealed)));
}
