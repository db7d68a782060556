import { AppError, BadRequestError, ConflictError, ValidationError } from '@0bit/core/errors';
import { isUuid } from '@0bit/core/ids';
import type { SecretBox } from '@0bit/core/secret-box';
import type { Db } from '@0bit/db/connection';
import {
  fingerprintOf,
  GATE_KEYS,
  type OneStatement,
  type Previous,
  runOnce,
  runOnceInOneStatement,
} from '@0bit/db/idempotency';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { scopeOf } from './auth.ts';
import { toErrorResponse } from './errors.ts';

export interface HandlerResult {
  status: number;
  body: unknown;
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
 * Runs a write at most once per (partner, mode, Idempotency-Key), with the platform's one semantics
 * (@0bit/db/idempotency, docs/idempotency.md). 0Gate's answers: a replay is the stored status and body with
 * `Idempotent-Replayed: true`; the same key with another request is 422; a key still being processed is 409.
 * Domain 4xx answers that depend on state (409 on cancel, 403 quota…) are stored too (the retry gets the same
 * answer); invalid input (400/422) and 5xx are not (the corrected retry runs).
 */
export async function runIdempotent(
  deps: { db: Db; box: SecretBox },
  request: FastifyRequest,
  reply: FastifyReply,
  handler: (trx: Db) => Promise<HandlerResult>,
): Promise<FastifyReply> {
  const key = readIdempotencyKey(request);
  const { scope } = scopeOf(request);
  const fingerprint = fingerprintOf(request.method, request.url, request.body);
  return answer(
    reply,
    key,
    await runOnce(deps, GATE_KEYS, { scope, key, fingerprint }, handler, storedFailure),
  );
}

/**
 * The same semantics for a write whose answer is known before it runs (a create): the key's claim, the
 * stored answer and the writes are one statement (runOnceInOneStatement) — one round trip, one commit.
 */
export async function runIdempotentStatement(
  deps: { db: Db; box: SecretBox },
  request: FastifyRequest,
  reply: FastifyReply,
  plan: () => OneStatement,
  /** Runs once the statement committed a fresh write (not for a replay), e.g. to count it. */
  onCommitted: () => void = () => {},
): Promise<FastifyReply> {
  const key = readIdempotencyKey(request);
  const { scope } = scopeOf(request);
  const fingerprint = fingerprintOf(request.method, request.url, request.body);
  const outcome = await runOnceInOneStatement(
    deps,
    GATE_KEYS,
    { scope, key, fingerprint },
    plan,
    storedFailure,
  );
  if (outcome.kind === 'fresh' && outcome.answer.status < 400) onCommitted();
  return answer(reply, key, outcome);
}

function storedFailure(error: unknown): HandlerResult | null {
  // Invalid input (400/422), found by the schema or by the domain's rules, is never stored: the request
  // is the caller's to correct, and the corrected retry with the same key runs.
  if (!(error instanceof AppError) || error.kind === 'invalid_request' || error.kind === 'bad_request')
    return null;
  const body = toErrorResponse(error);
  return { status: body.statusCode, body };
}

function answer(
  reply: FastifyReply,
  key: string,
  outcome: { kind: 'fresh'; answer: HandlerResult } | Previous,
): FastifyReply {
  switch (outcome.kind) {
    case 'fresh':
      return reply.code(outcome.answer.status).send(outcome.answer.body);
    case 'replay':
      return reply
        .code(outcome.answer.status)
        .header('Idempotent-Replayed', 'true')
        .send(outcome.answer.body);
    case 'in_progress':
      throw new ConflictError(
        'A request with this Idempotency-Key is still being processed; retry in a moment',
      );
    case 'mismatch':
      throw new ValidationError([
        `Idempotency-Key ${key} was already used with a different request (method, path or body). Reuse a key only to retry the identical request; use a new key for a new request.`,
      ]);
  }
}
