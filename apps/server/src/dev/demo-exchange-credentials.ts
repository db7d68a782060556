import { join } from 'node:path';
import { readJsonIfExists, writePrivateJson } from '@0bit/core/private-json';
import type { SecretBox } from '@0bit/core/secret-box';
import type { Db } from '@0bit/db/connection';
import { issueCredentials } from '@0bit/exchange/domain/credentials';
import { isTraceError } from '@0bit/exchange/errors';
import { ensureDefaultRefcode } from '@0bit/exchange/store/refcodes';

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
    if (!isTraceError(error, 'INVALID_STATE')) throw error;
    const saved = readJsonIfExists<DemoExchangeCredentials>(file);
    return saved?.partnerId === partnerId ? saved : null;
  }
}
