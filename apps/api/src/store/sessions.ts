import { type Insertable, type Selectable, sql } from 'kysely';
import type { Scope } from '../domain/keys.ts';
import { type Db, json, olderThan } from './db.ts';
import type { GateSessionsTable } from './schema.ts';

export type SessionRow = Selectable<GateSessionsTable>;
/** A session row plus whether it is past `expires_at` by the database clock. */
export type SessionRead = SessionRow & { due: boolean };

type Status = SessionRow['status'];

const withDue = sql<boolean>`(expires_at <= now())`.as('due');

export async function insertSession(
  db: Db,
  row: Omit<Insertable<GateSessionsTable>, 'metadata' | 'expires_at'> & {
    metadata: Record<string, string>;
    /** null → the default lifetime, computed with the database clock. */
    expires_at: Date | null;
    lifetimeSeconds: number;
  },
): Promise<SessionRow> {
  const { lifetimeSeconds, metadata, expires_at, ...rest } = row;
  return db
    .insertInto('gate_sessions')
    .values({
      ...rest,
      metadata: json(metadata),
      expires_at: expires_at ?? sql`now() + make_interval(secs => ${lifetimeSeconds})`,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findSession(db: Db, scope: Scope, id: string): Promise<SessionRead | undefined> {
  return db
    .selectFrom('gate_sessions')
    .selectAll()
    .select(withDue)
    .where('id', '=', id)
    .where('partner_id', '=', scope.partnerId)
    .where('mode', '=', scope.mode)
    .executeTakeFirst();
}

/**
 * Moves an open session to a terminal status. The `status = 'open'` guard makes it happen exactly once
 * however many requests race: PostgreSQL re-checks the guard after the winner commits. `requireDue`
 * selects sessions past their deadline (expiry); otherwise only sessions still before it move.
 */
export async function closeSession(
  db: Db,
  scope: Scope,
  id: string,
  to: Exclude<Status, 'open'>,
  options: { requireDue: boolean; txRefid?: string; ignoreDeadline?: boolean },
): Promise<SessionRow | undefined> {
  let query = db
    .updateTable('gate_sessions')
    .set({ status: to, closed_at: sql`now()`, ...(options.txRefid ? { tx_refid: options.txRefid } : {}) })
    .where('id', '=', id)
    .where('partner_id', '=', scope.partnerId)
    .where('mode', '=', scope.mode)
    .where('status', '=', 'open');
  if (!options.ignoreDeadline)
    query = query.where(
      options.requireDue ? sql<boolean>`expires_at <= now()` : sql<boolean>`expires_at > now()`,
    );
  if (to === 'expired' || to === 'cancelled') query = query.where(noPaymentInFlight);
  return query.returningAll().executeTakeFirst();
}

/**
 * A session whose widget payment is in flight is not expired or cancelled under it: the payment (or the
 * recovery pass) completes or fails it first; it expires afterwards if still due.
 */
const noPaymentInFlight = sql<boolean>`NOT EXISTS (
  SELECT 1 FROM widget_intents w WHERE w.session_id = gate_sessions.id AND w.status = 'processing'
)`;

/**
 * Expires up to `limit` open sessions past their deadline (of one scope, or all). SKIP LOCKED lets several
 * sweepers and readers run at once without waiting on each other or expiring anything twice.
 */
export async function expireDueSessions(db: Db, scope: Scope | null, limit: number): Promise<SessionRow[]> {
  return db
    .updateTable('gate_sessions')
    .set({ status: 'expired', closed_at: sql`now()` })
    .where('id', 'in', (eb) => {
      let due = eb
        .selectFrom('gate_sessions')
        .select('id')
        .where('status', '=', 'open')
        .where('expires_at', '<=', sql<Date>`now()`)
        .where(noPaymentInFlight);
      if (scope) due = due.where('partner_id', '=', scope.partnerId).where('mode', '=', scope.mode);
      return due.limit(limit).forUpdate().skipLocked();
    })
    .where('status', '=', 'open')
    .returningAll()
    .execute();
}

export async function listSessions(
  db: Db,
  scope: Scope,
  options: { limit: number; after?: Pick<SessionRow, 'id' | 'created_at'> | undefined },
): Promise<SessionRow[]> {
  let query = db
    .selectFrom('gate_sessions')
    .selectAll()
    .where('partner_id', '=', scope.partnerId)
    .where('mode', '=', scope.mode);
  const after = options.after;
  if (after) query = query.where(olderThan(after));
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(options.limit).execute();
}

export async function insertIntent(
  db: Db,
  row: { id: string; session_id: string; status: 'failed' | 'succeeded'; failure_reason: string | null },
) {
  return db.insertInto('session_intents').values(row).returningAll().executeTakeFirstOrThrow();
}

/** The session a client secret belongs to, in any scope (the caller checks partner and mode). */
export async function findSessionByClientSecretHash(db: Db, hash: string): Promise<SessionRead | undefined> {
  return db
    .selectFrom('gate_sessions')
    .selectAll()
    .select(withDue)
    .where('client_secret_hash', '=', hash)
    .executeTakeFirst();
}
