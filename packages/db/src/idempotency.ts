import { createHash } from 'node:crypto';
import type { Scope } from '@0bit/core/scope';
import type { SecretBox } from '@0bit/core/secret-box';
import { type RawBuilder, sql } from 'kysely';
import type { Db } from './connection.ts';

/**
 * Idempotent writes for both products, with one semantics (docs/idempotency.md):
 *
 * - A key is scoped to (partner, mode) and remembered IDEMPOTENCY_TTL_HOURS (24 h); after that it is a new
 *   key again, and the sweep (sweepIdempotencyKeys) deletes it.
 * - Stored: the operation's answer when it succeeds, and when it fails with a 4xx of the product's rules.
 *   Not stored: 5xx (the retry runs again) and anything refused before the operation runs (authentication,
 *   rate limit, schema validation), so a corrected or later retry runs.
 * - Same key + same request (fingerprintOf: method, path, canonical JSON body) → the stored status and body.
 * - Same key + a different request → a mismatch, which each product answers in its own vocabulary
 *   (0Gate 422, 0trace 409 IDEMPOTENCY_CONFLICT).
 * - Concurrent requests with one key → one effect: the insert of the key waits for the other transaction.
 * - Stored bodies are sealed at rest (they carry secrets shown once).
 *
 * Each product keeps its table (0Gate `idempotency_keys`, 0trace `exchange_idempotency`, whose columns have
 * older names); the code that reads and writes them is this one.
 */
export const IDEMPOTENCY_TTL_HOURS = 24;

export interface IdempotencyTable {
  table: string;
  fingerprint: string;
  body: string;
}

export const GATE_KEYS: IdempotencyTable = {
  table: 'idempotency_keys',
  fingerprint: 'fingerprint',
  body: 'response_body_sealed',
};

export const TRACE_KEYS: IdempotencyTable = {
  table: 'exchange_idempotency',
  fingerprint: 'request_hash',
  body: 'response_sealed',
};

const ALL_TABLES = [GATE_KEYS, TRACE_KEYS];

/** Key order must not change the fingerprint: `{"a":1,"b":2}` and `{"b":2,"a":1}` are the same request. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

/** What makes two requests "the same": method, path (without query) and the body, key order aside. */
export function fingerprintOf(method: string, url: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method} ${url.split('?')[0]}\n${canonicalJson(body ?? {})}`)
    .digest('hex');
}

export interface IdempotencyKey {
  scope: Scope;
  key: string;
  fingerprint: string;
  /** Older fingerprints of the same request still accepted (0trace rows written before 0013). */
  alsoAccepted?: string[];
}

export interface StoredAnswer {
  status: number;
  body: unknown;
}

interface Row {
  fingerprint: string;
  response_status: number | null;
  body_sealed: string | null;
}

const live = sql`created_at >= now() - make_interval(hours => ${IDEMPOTENCY_TTL_HOURS})`;

/**
 * Inserts the key (with its answer when given, or none yet: "being processed"). True when this request
 * owns it: new, or the previous use has aged out. When another transaction holds the same key, PostgreSQL
 * makes this statement wait until that transaction ends, so concurrent duplicates serialise on the key.
 */
export async function claimKey(
  db: Db,
  t: IdempotencyTable,
  k: IdempotencyKey,
  answer?: { status: number; bodySealed: string },
): Promise<boolean> {
  const result = await sql<{ key: string }>`${claimStatement(t, k, answer)}`.execute(db);
  return result.rows.length > 0;
}

/** The claim's statement (claimKey), also the first CTE of runOnceInOneStatement. */
function claimStatement(
  t: IdempotencyTable,
  k: IdempotencyKey,
  answer?: { status: number; bodySealed: string },
): RawBuilder<unknown> {
  const fp = sql.ref(t.fingerprint);
  const body = sql.ref(t.body);
  return sql`
    INSERT INTO ${sql.table(t.table)} (partner_id, mode, key, ${fp}, response_status, ${body})
    VALUES (${k.scope.partnerId}, ${k.scope.mode}, ${k.key}, ${k.fingerprint}, ${answer?.status ?? null},
      ${answer?.bodySealed ?? null})
    ON CONFLICT (partner_id, mode, key) DO UPDATE SET
      ${fp} = EXCLUDED.${fp}, response_status = EXCLUDED.response_status, ${body} = EXCLUDED.${body},
      created_at = now()
    WHERE ${sql.table(t.table)}.created_at < now() - make_interval(hours => ${IDEMPOTENCY_TTL_HOURS})
    RETURNING key`;
}

async function findKey(db: Db, t: IdempotencyTable, k: IdempotencyKey): Promise<Row | undefined> {
  const result = await sql<Row>`
    SELECT ${sql.ref(t.fingerprint)} AS fingerprint, response_status, ${sql.ref(t.body)} AS body_sealed
    FROM ${sql.table(t.table)}
    WHERE partner_id = ${k.scope.partnerId} AND mode = ${k.scope.mode} AND key = ${k.key} AND ${live}`.execute(
    db,
  );
  return result.rows[0];
}

async function saveAnswer(db: Db, t: IdempotencyTable, k: IdempotencyKey, status: number, sealed: string) {
  await sql`
    UPDATE ${sql.table(t.table)} SET response_status = ${status}, ${sql.ref(t.body)} = ${sealed}
    WHERE partner_id = ${k.scope.partnerId} AND mode = ${k.scope.mode} AND key = ${k.key}`.execute(db);
}

/** What a request with a key already in use gets: the one decision table of docs/idempotency.md. */
export type Previous =
  | { kind: 'replay'; answer: StoredAnswer }
  | { kind: 'mismatch'; answer: StoredAnswer }
  | { kind: 'in_progress' };

/** Told of every replay (a key reused for the same request): the platform's metrics count them. */
const replayListeners = new Set<(table: string) => void>();

/** Calls `listener` with the key table's name on every idempotent replay; returns the way to stop. */
export function onIdempotentReplay(listener: (table: string) => void): () => void {
  replayListeners.add(listener);
  return () => replayListeners.delete(listener);
}

function decide(row: Row, k: IdempotencyKey, box: SecretBox, t: IdempotencyTable): Previous {
  const answer =
    row.response_status === null || row.body_sealed === null
      ? null
      : { status: row.response_status, body: JSON.parse(box.open(row.body_sealed)) as unknown };
  // A key still being processed says so first, whatever the body: its request is not known to differ yet.
  if (!answer) return { kind: 'in_progress' };
  const same = row.fingerprint === k.fingerprint || (k.alsoAccepted ?? []).includes(row.fingerprint);
  if (!same) return { kind: 'mismatch', answer };
  for (const listener of replayListeners) listener(t.table);
  return { kind: 'replay', answer };
}

/** The earlier use of this key within 24 h, decided against this request; undefined when there is none. */
export async function previousUse(
  db: Db,
  box: SecretBox,
  t: IdempotencyTable,
  k: IdempotencyKey,
): Promise<Previous | undefined> {
  const row = await findKey(db, t, k);
  return row && decide(row, k, box, t);
}

/**
 * Stores the answer of an operation that committed its own transaction (0trace's create, which writes the
 * key with the order) or failed with a 4xx (its transaction rolled back). False when the key was already
 * taken by a concurrent request: the caller answers previousUse().
 */
export async function storeAnswer(
  db: Db,
  box: SecretBox,
  t: IdempotencyTable,
  k: IdempotencyKey,
  answer: StoredAnswer,
): Promise<boolean> {
  return claimKey(db, t, k, { status: answer.status, bodySealed: box.seal(JSON.stringify(answer.body)) });
}

/**
 * Runs `operation` at most once per key. The claim, the operation and its stored answer commit in one
 * transaction, so a crash never leaves a write without its replayable answer; a concurrent request with the
 * same key waits for that transaction, then gets its answer. When the operation throws, `storedFailure`
 * says what to store (a 4xx answer) or null (5xx: not stored, the retry runs again); the error is rethrown.
 */
export async function runOnce(
  deps: { db: Db; box: SecretBox },
  t: IdempotencyTable,
  k: IdempotencyKey,
  operation: (trx: Db) => Promise<StoredAnswer>,
  storedFailure: (error: unknown) => StoredAnswer | null,
): Promise<{ kind: 'fresh'; answer: StoredAnswer } | Previous> {
  try {
    return await deps.db.transaction().execute(async (trx) => {
      if (!(await claimKey(trx, t, k))) {
        const row = await findKey(trx, t, k);
        // Gone between the two statements only if it aged out and was swept meanwhile.
        return row ? decide(row, k, deps.box, t) : { kind: 'in_progress' as const };
      }
      const answer = await operation(trx);
      await saveAnswer(trx, t, k, answer.status, deps.box.seal(JSON.stringify(answer.body)));
      return { kind: 'fresh' as const, answer };
    });
  } catch (error) {
    const failure = storedFailure(error);
    if (failure && failure.status >= 400 && failure.status < 500)
      await storeAnswer(deps.db, deps.box, t, k, failure);
    throw error;
  }
}

/**
 * What runOnceInOneStatement runs: the answer, known before anything is written, and the operation's writes
 * as CTEs (`name AS (INSERT … SELECT … FROM claim …), …`) that read the CTE `claim`, so they write only
 * when this request owns the key.
 */
export interface OneStatement {
  answer: StoredAnswer;
  writes: RawBuilder<unknown>;
}

/**
 * runOnce for an operation whose answer does not depend on what the database returns: the claim (which
 * stores the answer with the key) and the operation's writes are ONE data-modifying statement — one round
 * trip, one commit, its own transaction. A concurrent request with the same key waits for it on the claim,
 * as in runOnce. `plan` (the operation's checks) runs first; when it throws, a key already used answers
 * that use (as runOnce, whose claim comes first, answers it), else the failure is stored as runOnce stores it.
 */
export async function runOnceInOneStatement(
  deps: { db: Db; box: SecretBox },
  t: IdempotencyTable,
  k: IdempotencyKey,
  plan: () => OneStatement,
  storedFailure: (error: unknown) => StoredAnswer | null,
): Promise<{ kind: 'fresh'; answer: StoredAnswer } | Previous> {
  const failed = async (error: unknown): Promise<Previous> => {
    const failure = storedFailure(error);
    if (failure && failure.status >= 400 && failure.status < 500) {
      if (!(await storeAnswer(deps.db, deps.box, t, k, failure))) {
        const previous = await previousUse(deps.db, deps.box, t, k);
        if (previous) return previous;
      }
    }
    throw error;
  };
  let planned: OneStatement;
  try {
    planned = plan();
  } catch (error) {
    // runOnce claims before its operation runs: a key already used answers its use, whatever this
    // request's checks would say now (a replay, or a mismatch for another request).
    const previous = await previousUse(deps.db, deps.box, t, k);
    if (previous) return previous;
    return failed(error);
  }
  let claimed: boolean;
  try {
    const sealed = deps.box.seal(JSON.stringify(planned.answer.body));
    const result = await sql<{ claimed: number }>`
      WITH claim AS (${claimStatement(t, k, { status: planned.answer.status, bodySealed: sealed })}),
      ${planned.writes}
      SELECT count(*)::int AS claimed FROM claim`.execute(deps.db);
    claimed = Number(result.rows[0]?.claimed ?? 0) > 0;
  } catch (error) {
    return failed(error);
  }
  if (claimed) return { kind: 'fresh', answer: planned.answer };
  // Gone between the two statements only if it aged out and was swept meanwhile.
  return (await previousUse(deps.db, deps.box, t, k)) ?? { kind: 'in_progress' };
}

/** Deletes keys past the 24 h of both products; the sweep of every process that serves either calls it. */
export async function sweepIdempotencyKeys(db: Db): Promise<number> {
  let deleted = 0;
  for (const t of ALL_TABLES) {
    const result = await sql`
      DELETE FROM ${sql.table(t.table)}
      WHERE created_at < now() - make_interval(hours => ${IDEMPOTENCY_TTL_HOURS})`.execute(db);
    deleted += Number(result.numAffectedRows ?? 0);
  }
  return deleted;
}
