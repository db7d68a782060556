import type { SecretBox } from '@0bit/core/secret-box';
import type { Db } from '@0bit/db/connection';
import type { WindowCounter } from '@0bit/http/counters';
import type { EgressPolicy } from '@0bit/webhooks/egress';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyRequest,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { KeyCache } from '../domain/keys.ts';
import type { AmountBoundsByCurrency } from '../domain/limits.ts';

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

type Guard = (request: FastifyRequest) => Promise<void>;

/** What route modules get from buildApp: the database, the secret box, guards and the limiter store. */
export interface RouteDeps {
  db: Db;
  box: SecretBox;
  /** null when rate limits are off. */
  counter: WindowCounter | null;
  secretKey: Guard;
  publishableKey: Guard;
  admin: Guard;
  /** Key lookups cached by this process; routes that change keys or domains evict their partner. */
  keyCache: KeyCache;
  /** Where partner URLs may point (webhook endpoints are checked with it when saved). */
  egress: EgressPolicy;
  /** Per-currency session amount bounds (SESSION_AMOUNT_BOUNDS over the fee model's defaults). */
  amountBounds: AmountBoundsByCurrency;
  /** The Partner Hub's public URL (invitation links). */
  hubUrl: string;
}
