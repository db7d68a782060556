import { join } from 'node:path';
import { readJsonIfExists, writePrivateJson } from '../../../api/src/dev/private-json.ts';
import type { Db } from '../../../api/src/store/db.ts';
import type { SecretBox } from '../../../api/src/store/secret-box.ts';
import { issueCredentials } from '../domain/credentials.ts';
import { ExchangeError } from '../domain/errors.ts';
import { ensureDefaultRefcode } from '../store/refcodes.ts';

export interface DemoExchangeCredentials {
  partnerId: string;
  environment: 'sandbox';
  apiKey: string;
  apiSecret: string;
  webhookSecret: string;
}

/**
 * `npm start` on the embedded default: the demo partner also gets 0trace sandbox credentials, written to
 * DATA_DIR/demo-exchange.json (mode 600) so every start can print them, as it prints the 0Gate test keys.
 */
export async function ensureDemoExchangeCredentials(
  db: Db,
  box: SecretBox,
  dataDir: string,
  partnerId: string,
): Promise<DemoExchangeCredentials | null> {
  const file = join(dataDir, 'demo-exchange.json');
  await ensureDefaultRefcode(db, { partnerId, mode: 'test' });
  try {
    const issued = await issueCredentials(db, box, partnerId, 'sandbox');
    const demo: DemoExchangeCredentials = {
      partnerId,
      environment: 'sandbox',
      apiKey: issued.apiKey,
      apiSecret: issued.apiSecret,
      webhookSecret: issued.webhookSecret,
    };
    writePrivateJson(file, demo);
    return demo;
  } catch (error) {
    // Issued on an earlier start: print what that start saved.
    if (!(error instanceof ExchangeError) || error.kind !== 'INVALID_STATE') throw error;
    const saved = readJsonIfExists<DemoExchangeCredentials>(file);
    return saved?.partnerId === partnerId ? saved : null;
  }
}
