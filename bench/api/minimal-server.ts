/**
 * The reference of bench/api (issue #18): the least work a correct create and retrieve must do, NOT product
 * code. Fastify + pg (MINIMAL_DATABASE_URL) or PGlite (in this process, migrated here); the API key checked
 * from an in-memory map; GET = one SELECT by primary key; POST = ONE statement (a data-modifying CTE) that
 * claims the Idempotency-Key with its sealed answer, inserts the session and its gate_session.created event
 * into the platform's real tables (so the outbox trigger runs) — one round trip, one commit.
 */
import { createCipheriv, createHash, randomBytes, randomUUID } from 'node:crypto';
import { createPartner } from '@0bit/api/domain/partners';
import { openDatabase } from '@0bit/db/connection';
import { migrateToLatest } from '@0bit/db/migrate';
import Fastify from 'fastify';
import pg from 'pg';

type Query = (text: string, values: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>;
let query: Query;
let keys: Map<string, { partnerId: string; mode: string }>;
if (process.env.MINIMAL_DATABASE_URL) {
  const pool = new pg.Pool({ connectionString: process.env.MINIMAL_DATABASE_URL, max: 10 });
  query = (text, values) => pool.query(text, values);
  keys = new Map([
    [String(process.env.MINIMAL_KEY), { partnerId: String(process.env.MINIMAL_PARTNER), mode: 'test' }],
  ]);
} else {
  // On disk like the platform's PGlite (DATA_DIR), so both pay the same storage costs.
  const { db, pglite } = await openDatabase({ dataDir: process.env.MINIMAL_DATA_DIR ?? null });
  await migrateToLatest(db);
  const { partner, keys: created } = await createPartner(db, { name: 'Minimal', allowed_domains: [] });
  // An endpoint like the demo partner's, so the outbox trigger enqueues a delivery per event here too.
  await pglite!.query(
    `INSERT INTO webhook_endpoints (partner_id, mode, url) VALUES ($1, 'test', 'http://localhost:3000/hook')`,
    [partner.id],
  );
  query = (text, values) => pglite!.query(text, values);
  keys = new Map([[created.test.secret_key, { partnerId: partner.id, mode: 'test' }]]);
  console.log(`key ${created.test.secret_key}`);
}
const sealKey = randomBytes(32);
const seal = (text: string) => {
  const nonce = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', sealKey, nonce);
  const body = Buffer.concat([c.update(text, 'utf8'), c.final(), c.getAuthTag()]);
  return `v1.${nonce.toString('base64url')}.${body.toString('base64url')}`;
};
const auth = (header: string | undefined) => keys.get(header?.slice(7) ?? '');

const app = Fastify({ logger: false });
app.get<{ Params: { id: string } }>('/v1/gate_sessions/:id', async (request, reply) => {
  const scope = auth(request.headers.authorization);
  if (!scope) return reply.code(401).send({ error: 'unauthenticated' });
  const { rows } = await query(
    `SELECT id, 'gate_session' AS object, partner_id, mode, flow, amount, currency, target_token, target_network,
       return_url, cancel_url, status, expires_at, created_at, wallet_address, user_reference, kyc_pre_verified, metadata
     FROM gate_sessions WHERE id = $1 AND partner_id = $2 AND mode = $3`,
    [request.params.id, scope.partnerId, scope.mode],
  );
  return rows[0] ?? reply.code(404).send({ error: 'not found' });
});
app.post<{ Body: { amount: string; currency: string; return_url: string; metadata?: object } }>(
  '/v1/gate_sessions',
  async (request, reply) => {
    const scope = auth(request.headers.authorization);
    if (!scope) return reply.code(401).send({ error: 'unauthenticated' });
    const b = request.body;
    const id = randomBytes(12).toString('hex');
    const clientSecret = `gsec_${id}_${randomBytes(24).toString('base64url').slice(0, 32)}`;
    const now = new Date();
    const session = {
      id,
      object: 'gate_session',
      partner_id: scope.partnerId,
      mode: scope.mode,
      flow: null,
      amount: b.amount,
      currency: b.currency,
      target_token: null,
      target_network: null,
      return_url: b.return_url,
      cancel_url: null,
      status: 'open',
      expires_at: new Date(now.getTime() + 86_400_000).toISOString(),
      created_at: now.toISOString(),
      wallet_address: null,
      user_reference: null,
      kyc_pre_verified: false,
      metadata: b.metadata ?? {},
    };
    const answer = { ...session, client_secret: clientSecret };
    const fingerprint = createHash('sha256')
      .update(`POST /v1/gate_sessions\n${JSON.stringify(b)}`)
      .digest('hex');
    const { rows } = await query(
      `WITH claim AS (
         INSERT INTO idempotency_keys (partner_id, mode, key, fingerprint, response_status, response_body_sealed)
         VALUES ($1, $2, $3, $4, 201, $5) ON CONFLICT (partner_id, mode, key) DO NOTHING RETURNING key),
       s AS (
         INSERT INTO gate_sessions (id, partner_id, mode, status, amount, currency, return_url, metadata,
           client_secret_hash, expires_at, created_at)
         SELECT $6, $1, $2, 'open', $7, $8, $9, $10::json, $11, $12, $13 FROM claim RETURNING id)
       INSERT INTO events (id, partner_id, mode, type, session_id, data)
       SELECT $14, $1, $2, 'gate_session.created', id, $15::json FROM s RETURNING id`,
      [
        scope.partnerId,
        scope.mode,
        String(request.headers['idempotency-key']),
        fingerprint,
        seal(JSON.stringify(answer)),
        id,
        b.amount,
        b.currency,
        b.return_url,
        JSON.stringify(session.metadata),
        createHash('sha256').update(clientSecret).digest('hex'),
        session.expires_at,
        session.created_at,
        randomUUID(),
        JSON.stringify(session),
      ],
    );
    // A key already used: the reference does not serve replays (the benchmark never sends one).
    if (rows.length === 0) return reply.code(409).send({ error: 'idempotency key in use' });
    return reply.code(201).send(answer);
  },
);
await app.listen({ port: 0, host: '127.0.0.1' });
console.log(`minimal listening on http://localhost:${(app.server.address() as { port: number }).port}`);
