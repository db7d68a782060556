import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { newObjectId } from '@0bit/core/ids';
import { readJsonIfExists, writePrivateJson } from '@0bit/core/private-json';
import type { Db } from '@0bit/db/connection';
import { hashPassword } from '@0bit/hub/domain/passwords';

export const DEMO_OWNER_EMAIL = 'owner@demo-partner.test';

interface DemoOwnerFile {
  partner_id: string;
  email: string;
  password: string;
}

/**
 * The demo partner's Partner Hub owner for local development: created on first start with a generated
 * password kept in DATA_DIR/hub-demo-owner.json (mode 600). `password` is returned only when it was created now,
 * so the start-up print-out shows it once; later starts point at the file.
 */
export async function ensureDemoHubOwner(
  db: Db,
  dataDir: string,
  partnerId: string,
): Promise<{ email: string; password: string | null; file: string }> {
  const file = join(dataDir, 'hub-demo-owner.json');
  const existing = await db
    .selectFrom('hub_users')
    .select(['id', 'partner_id'])
    .where('email', '=', DEMO_OWNER_EMAIL)
    .executeTakeFirst();
  const saved = readJsonIfExists<DemoOwnerFile>(file);
  if (existing && saved?.partner_id === partnerId) return { email: DEMO_OWNER_EMAIL, password: null, file };
  const password = randomBytes(15).toString('base64url');
  const hash = await hashPassword(password);
  if (existing)
    await db
      .updateTable('hub_users')
      .set({ password_hash: hash, role: 'owner', removed_at: null, partner_id: partnerId })
      .where('id', '=', existing.id)
      .execute();
  else
    await db
      .insertInto('hub_users')
      .values({
        id: newObjectId(),
        partner_id: partnerId,
        email: DEMO_OWNER_EMAIL,
        role: 'owner',
        password_hash: hash,
      })
      .onConflict((oc) => oc.column('email').doNothing())
      .execute();
  writePrivateJson(file, {
    partner_id: partnerId,
    email: DEMO_OWNER_EMAIL,
    password,
  } satisfies DemoOwnerFile);
  return { email: DEMO_OWNER_EMAIL, password, file };
}
