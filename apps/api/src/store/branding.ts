import type { Scope } from '@0bit/core/scope';
import type { Db } from '@0bit/db/connection';
import type { PartnerBrandingTable } from '@0bit/db/schema';
import type { Selectable } from 'kysely';
import { sql } from 'kysely';

export type BrandingRow = Selectable<PartnerBrandingTable>;
export type BrandingFields = Pick<
  BrandingRow,
  'logo_url' | 'primary_color' | 'secondary_color' | 'accent_color' | 'brand_name'
>;

export async function findBranding(db: Db, scope: Scope): Promise<BrandingRow | undefined> {
  return db
    .selectFrom('partner_branding')
    .selectAll()
    .where('partner_id', '=', scope.partnerId)
    .where('mode', '=', scope.mode)
    .executeTakeFirst();
}

/** Merges only the given fields (null clears one); fields not given keep their value. */
export async function mergeBranding(
  db: Db,
  scope: Scope,
  changes: Partial<BrandingFields>,
): Promise<BrandingRow> {
  return db
    .insertInto('partner_branding')
    .values({ partner_id: scope.partnerId, mode: scope.mode, ...changes })
    .onConflict((oc) =>
      oc.columns(['partner_id', 'mode']).doUpdateSet({ ...changes, updated_at: sql`now()` }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}
