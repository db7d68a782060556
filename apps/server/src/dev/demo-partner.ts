import { join } from 'node:path';
import { createPartner, replaceAllowedDomains } from '@0bit/api/domain/partners';
import { readJsonIfExists, writePrivateJson } from '@0bit/core/private-json';
import type { Db } from '@0bit/db/connection';
import { findAllowedDomains } from '@0bit/db/partners';
import { sql } from 'kysely';

/**
 * The pages the demo partner embeds from: the hosted widget and the example shop, on the ports this start
 * uses (a port of 0 — any free one — falls back to the default, as WIDGET_ORIGIN does).
 */
export function demoAllowedDomains(ports: { widget: number; example: number }): string[] {
  return [`http://localhost:${ports.widget || 3000}`, `http://localhost:${ports.example || 5173}`];
}

export interface DemoPartner {
  partner_id: string;
  mode: 'test';
  publishable_key: string;
  secret_key: string;
}

/**
 * Creates the demo partner on first start and writes its test keys to DATA_DIR/demo-partner.json (mode 600,
 * test mode only) so later starts can print them. The settings row makes creation happen once even when
 * several instances start together. An existing demo partner gains the given domains in test mode, so a start
 * on other ports (WIDGET_PORT, EXAMPLE_PORT) works without deleting DATA_DIR.
 */
export async function ensureDemoPartner(
  db: Db,
  dataDir: string,
  allowedDomains: string[],
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
      const current = partnerId ? (await findAllowedDomains(trx, partnerId)).test : [];
      const missing = allowedDomains.filter((domain) => !current.includes(domain));
      if (partnerId && missing.length > 0)
        await replaceAllowedDomains(trx, { partnerId, mode: 'test' }, [...current, ...missing]);
      const demo = readJsonIfExists<DemoPartner>(file);
      return { demo: demo?.partner_id === partnerId ? demo : null, created: false, partnerId };
    }
    const { partner, keys } = await createPartner(trx, {
      name: 'Demo partner',
      allowed_domains: allowedDomains,
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
