import { randomUUID } from 'node:crypto';
import type { Mode } from '@0bit/core/scope';
import type { Db } from './connection.ts';

/**
 * Who acted: a 0trace credential (its id, never the key), the operator's admin token or CLI, and later a
 * Partner Hub user.
 */
export interface AuditActor {
  kind: 'exchange_credential' | 'admin' | 'cli' | 'user';
  id: string | null;
}

export interface AuditEntry {
  actor: AuditActor;
  partnerId: string | null;
  mode: Mode | null;
  /** `<product>.<thing>.<verb>`, e.g. `exchange.credentials.rotate`. */
  action: string;
  /** What was changed, e.g. `refcode:web` or a credential id. */
  target?: string | null;
  ip?: string | null;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}

/**
 * Fields whose names say they hold (or derive from) a secret are dropped whatever the caller passes: the
 * audit log is read by people, and exported, so a slip in one caller must not copy a secret into it.
 */
const SECRET_FIELD = /secret|password|token|api_?key|sealed|hash|signature/i;

function scrub(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(scrub);
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !SECRET_FIELD.test(key))
      .map(([key, inner]) => [key, scrub(inner)]),
  );
}

const json = (value: Record<string, unknown> | null | undefined) =>
  value == null ? null : JSON.stringify(scrub(value));

/** Appends one row; call it inside the transaction that makes the change, so both commit or neither. */
export async function writeAudit(db: Db, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      id: randomUUID(),
      actor_kind: entry.actor.kind,
      actor_id: entry.actor.id,
      partner_id: entry.partnerId,
      mode: entry.mode,
      action: entry.action,
      target: entry.target ?? null,
      ip: entry.ip ?? null,
      before: json(entry.before),
      after: json(entry.after),
    })
    .execute();
}

export type AuditChange = Pick<AuditEntry, 'action' | 'target' | 'before' | 'after'>;
/** Records a change made by whoever the request authenticated as; domain code calls it in its transaction. */
export type Audit = (db: Db, change: AuditChange) => Promise<void>;

export function auditAs(who: Omit<AuditEntry, keyof AuditChange>): Audit {
  return (db, change) => writeAudit(db, { ...who, ...change });
}
