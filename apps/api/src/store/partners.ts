import { type Selectable, sql } from 'kysely';
import { type Db, jsonb, olderThan } from './db.ts';
import type { PartnersTable } from './schema.ts';

export type PartnerRow = Selectable<PartnersTable>;

export async function insertPartner(
  db: Db,
  row: { id: string; name: string; allowed_domains: string[]; kyc_trusted: boolean },
): Promise<PartnerRow> {
  return db
    .insertInto('partners')
    .values({ ...row, allowed_domains: jsonb(row.allowed_domains) })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findPartner(db: Db, id: string): Promise<PartnerRow | undefined> {
  return db.selectFrom('partners').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listPartners(db: Db, limit: number, startingAfter?: PartnerRow): Promise<PartnerRow[]> {
  let query = db.selectFrom('partners').selectAll();
  if (startingAfter) query = query.where(olderThan(startingAfter));
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

export async function updatePartner(
  db: Db,
  id: string,
  changes: { kyc_trusted?: boolean; allowed_domains?: string[] },
): Promise<PartnerRow | undefined> {
  const { allowed_domains, ...rest } = changes;
  return db
    .updateTable('partners')
    .set({ ...rest, ...(allowed_domains ? { allowed_domains: jsonb(allowed_domains) } : {}) })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** Whether any partner registered this exact origin (for CORS preflights, which carry no key). */
export async function isRegisteredOrigin(db: Db, origin: string): Promise<boolean> {
  const row = await db
    .selectFrom('partners')
    .select('id')
    .where(sql<boolean>`allowed_domains @> ${JSON.stringify([origin])}::jsonb`)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Serialises changes to one partner's keys or settings (held until the transaction ends). */
export async function lockPartner(db: Db, id: string): Promise<void> {
  await db.selectFrom('partners').select('id').where('id', '=', id).forUpdate().execute();
}
