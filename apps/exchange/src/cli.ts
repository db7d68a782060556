import { SecretBox } from '@0bit/core/secret-box';
import { auditAs } from '@0bit/db/audit';
import type { OpenedDatabase } from '@0bit/db/connection';
import { type EgressPolicy, STRICT_EGRESS } from '@0bit/webhooks/egress';
import {
  type Environment,
  issueCredentials,
  MODE_OF,
  onboardPartner,
  setWebhookUrl,
} from './domain/credentials.ts';
import { signingPolicy } from './domain/signing.ts';
import { traceError } from './errors.ts';

export const EXCHANGE_USAGE = `  exchange onboard --name <name>
      Onboard a 0trace partner: prints its sandbox apiKey, apiSecret and webhookSecret (shown only this once).
  exchange credentials <partner-id> --environment <sandbox|live>
      Issue a partner's credentials for an environment (once; rotate them from the cabinet afterwards).
  exchange webhook <partner-id> --environment <sandbox|live> --url <url>
      Point a partner's 0trace webhooks at a URL.
  exchange signing <partner-id> --environment <sandbox|live> [--require-v2 <true|false>]
      Show, or set, whether the partner's environment refuses body-only signatures on every route.`;

function environment(value: string | undefined): Environment {
  if (value !== 'sandbox' && value !== 'live')
    throw traceError('INVALID_REQUEST', '--environment must be sandbox or live');
  return value;
}

/** `npm run admin -- exchange …`: the operator API's onboarding, without a running server. */
export async function runExchangeCommand(
  database: OpenedDatabase,
  secretsKey: Buffer,
  command: string | undefined,
  args: string[],
  options: {
    name?: string | undefined;
    environment?: string | undefined;
    url?: string | undefined;
    'require-v2'?: string | undefined;
  },
  egress: EgressPolicy = STRICT_EGRESS,
): Promise<unknown> {
  const box = new SecretBox(secretsKey);
  switch (command) {
    case 'onboard':
      if (!options.name) throw traceError('INVALID_REQUEST', '--name is required');
      return onboardPartner(database.db, box, { name: options.name });
    case 'credentials':
      return issueCredentials(database.db, box, args[0] ?? '', environment(options.environment));
    case 'webhook':
      if (!options.url) throw traceError('INVALID_REQUEST', '--url is required');
      return setWebhookUrl(database.db, args[0] ?? '', environment(options.environment), options.url, egress);
    case 'signing': {
      const flag = options['require-v2'];
      if (flag !== undefined && flag !== 'true' && flag !== 'false')
        throw traceError('INVALID_REQUEST', '--require-v2 must be true or false');
      const scope = { partnerId: args[0] ?? '', mode: MODE_OF[environment(options.environment)] };
      const audit = auditAs({
        actor: { kind: 'cli', id: null },
        partnerId: scope.partnerId,
        mode: scope.mode,
      });
      const policy = await signingPolicy(
        database.db,
        scope,
        flag === undefined ? undefined : flag === 'true',
        audit,
      );
      return { partnerId: scope.partnerId, ...policy };
    }
    default:
      throw traceError('INVALID_REQUEST', `unknown exchange command "${command ?? ''}"`);
  }
}
