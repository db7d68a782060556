import { join } from 'node:path';
import { createPartner } from '@0bit/api/domain/partners';
import { readJsonIfExists, writePrivateJson } from '@0bit/core/private-json';
import type { Db } from '@0bit/db/connection';
import { sql } from 'kysely';

export const DEMO_ALLOWED_DOMAINS = ['http://localhost:3000', 'http://localhost:5173'];

export interface DemoPartner {
  partner_id: string;
  mode: 'test';
  publishable_key: string;
  secret_key: string;
}

/**
 * Creates the demo partner on first start and writes its test keys to DATA_DIR/demo-partner.json (mode 600,
 * test mode only) so later starts can print them. The settings row makes creation happen once even when
 * several instances start together.
 */
export async function ensureDemoPartner(
  db: Db,
  dataDir: string,
): Promise<{ demo: DemoPartner | null; created: boolean; partnerId: string }> {
  const file = join(dataDir, 'demo-partner.json');
  return db.transaction().execute(async (trx) => {
    const claimed = await sql<{ key: string }>`
      INSERT INTO platform_settings (key, value) VALUES ('demo_partner', '{}'::jsonb)
      ON CONFLICT (key) DO NOTHING RETURNING key`.execute(trx);
    if (claimed.rows.length === 0) {
      const row = await trx
        .selectFrom('platform_settings')
        .select('value')
        .where('key', '=', 'demo_partner')
        .executeTakeFirstOrThrow();
      const partnerId = String((row.value as { partner_id?: string }).partner_id ?? '');
      const demo = readJsonIfExists<DemoPartner>(file);
      return { demo: demo?.partner_id === partnerId ? demo : null, created: false, partnerId };
    }
    const { partner, keys } = await createPartner(trx, {
      name: 'Demo partner',
      allowed_domains: DEMO_ALLOWED_DOMAINS,
    });
    await trx
      .updateTable('platform_settings')
      .set({ value: JSON.stringify({ partner_id: partner.id }) })
      .where('key', '=', 'demo_partner')
      .execute();
    const demo: DemoPartner = { partner_id: partner.id, mode: 'test', ...keys.test };
    writePrivateJson(file, demo);
    return { demo, created: true, partnerId: partner.id };
  });
}
