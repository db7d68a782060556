import { parseArgs } from 'node:util';
import {
  createPartner,
  getPartner,
  listPartners,
  setCustomerDailyLimits,
  setKycTrusted,
} from '@0bit/api/domain/partners';
import { AppError } from '@0bit/core/errors';
import { SecretBox } from '@0bit/core/secret-box';
import { resealAll } from '@0bit/db/reseal';
import { EXCHANGE_USAGE, runExchangeCommand } from '@0bit/exchange/cli';
import { loadConfig } from '../config.ts';
import { resolveLocalSecrets } from '../dev/local-secrets.ts';
import { openConfiguredDatabase } from './open.ts';

const USAGE = `Usage: npm run admin -- <command>

  partners create --name <name> [--domain <origin> ...] [--kyc-trusted] [--owner-email <email>]
      Onboard a partner; prints its id and its four keys (shown only this once), and with --owner-email
      the owner's one-time Partner Hub invitation link (docs/hub.md).
  partners list [--limit <n>]
  partners show <partner-id>
  partners kyc-trusted <partner-id> <true|false>
  partners customer-limits <partner-id> <CUR=amount,...|none>
      Per-customer (user_reference) daily limits, e.g. EUR=1000,USD=1200; "none" removes them.
${EXCHANGE_USAGE}
  secrets reencrypt [--dry-run]
      After a SECRETS_KEY rotation (docs/operating.md): re-seal every stored secret under SECRETS_KEY, opening
      the old ones with SECRETS_KEY_PREVIOUS. Safe while the platform runs; prints counts per column and exits
      1 if a value opens with no configured key.

Uses the same DATABASE_URL / DATA_DIR as the server. On PGlite stop the server first.`;

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      domain: { type: 'string', multiple: true },
      'kyc-trusted': { type: 'boolean' },
      'owner-email': { type: 'string' },
      limit: { type: 'string' },
      environment: { type: 'string' },
      url: { type: 'string' },
      'require-v2': { type: 'string' },
      'dry-run': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [group, command, ...rest] = positionals;
  if (values.help || (group !== 'partners' && group !== 'exchange' && group !== 'secrets') || !command) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const database = await openConfiguredDatabase();
  try {
    const print = (value: unknown) => console.log(JSON.stringify(value, null, 2));
    if (group === 'secrets') {
      if (command !== 'reencrypt') {
        console.log(USAGE);
        return 2;
      }
      const config = loadConfig();
      const { secretsKey } = resolveLocalSecrets(config.dataDir, config);
      const counts = await resealAll(database.db, new SecretBox(secretsKey, config.secretsKeyPrevious), {
        dryRun: values['dry-run'] ?? false,
      });
      print({ dry_run: values['dry-run'] ?? false, columns: counts });
      const unreadable = counts.reduce((n, c) => n + c.unreadable, 0);
      if (unreadable > 0)
        console.error(
          `${unreadable} sealed value(s) open with neither SECRETS_KEY nor SECRETS_KEY_PREVIOUS: add the key that sealed them`,
        );
      return unreadable > 0 ? 1 : 0;
    }
    if (group === 'exchange') {
      const config = loadConfig();
      const { secretsKey } = resolveLocalSecrets(config.dataDir, config);
      print(
        await runExchangeCommand(database, secretsKey, command, rest, values, {
          allowLoopback: config.webhooks.allowLoopback,
        }),
      );
      if (command !== 'webhook' && command !== 'signing')
        console.error('These credentials are shown only now. Store them in your secret manager.');
      return 0;
    }
    switch (command) {
      case 'create': {
        if (!values.name) throw new AppError('bad_request', '--name is required');
        const created = await createPartner(
          database.db,
          {
            name: values.name,
            allowed_domains: values.domain ?? [],
            kyc_trusted: values['kyc-trusted'] ?? false,
            ...(values['owner-email'] ? { owner_email: values['owner-email'] } : {}),
          },
          { hubUrl: loadConfig().hub.publicUrl, actor: { kind: 'cli', id: null } },
        );
        print(created);
        console.error('These keys are shown only now. Store them in your secret manager.');
        return 0;
      }
      case 'list':
        print(await listPartners(database.db, { limit: Number(values.limit ?? 100) }));
        return 0;
      case 'show':
        print(await getPartner(database.db, rest[0] ?? ''));
        return 0;
      case 'kyc-trusted': {
        const flag = rest[1];
        if (flag !== 'true' && flag !== 'false') throw new AppError('bad_request', 'say true or false');
        print(await setKycTrusted(database.db, rest[0] ?? '', flag === 'true'));
        return 0;
      }
      case 'customer-limits': {
        const spec = rest[1];
        if (!spec) throw new AppError('bad_request', 'give CUR=amount,... or none');
        let limits: Record<string, string> | null = null;
        if (spec !== 'none') {
          limits = {};
          for (const entry of spec.split(',')) {
            const [currency, amount] = entry.split('=');
            if (!currency || !amount) throw new AppError('bad_request', `"${entry}" is not CUR=amount`);
            limits[currency.trim()] = amount.trim();
          }
        }
        print(await setCustomerDailyLimits(database.db, rest[0] ?? '', limits));
        return 0;
      }
      default:
        console.log(USAGE);
        return 2;
    }
  } finally {
    await database.close();
  }
}

run(process.argv.slice(2))
  .then((code) => process.exit(code))
  .catch((error) => {
    console.error(error instanceof AppError ? `error: ${error.message}` : error);
    process.exit(1);
  });
