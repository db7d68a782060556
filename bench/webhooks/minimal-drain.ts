/**
 * The reference of bench/webhooks (issue #18), NOT product code: the least a correct PostgreSQL outbox drain
 * does. Claims a batch of 100 due deliveries with a lease (FOR UPDATE SKIP LOCKED, locked_until), signs each
 * (HMAC-SHA256), POSTs it over keep-alive connections with 64 in flight, and completes the batch in ONE
 * statement (the deliveries marked, their attempts logged). No retries, no fairness, no egress checks.
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import pg from 'pg';

const BATCH = 100;
const IN_FLIGHT = 64;
const pool = new pg.Pool({ connectionString: process.env.MINIMAL_DATABASE_URL, max: 4 });
const agent = new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
const secret = 'whsec_reference';

interface Row {
  id: string;
  event_id: string;
  payload: string;
  url: string;
}

function post(row: Row): Promise<number> {
  const t = Math.floor(Date.now() / 1000);
  const signature = createHmac('sha256', secret).update(`${t}.${row.payload}`).digest('hex');
  return new Promise((resolve) => {
    const request = http.request(row.url, {
      method: 'POST',
      agent,
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(row.payload),
        'x-0bit-event-id': row.event_id,
        'gate-signature': `t=${t},v1=${signature}`,
      },
    });
    request.on('response', (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', () => resolve(0));
    request.end(row.payload);
  });
}

let stopped = false;
process.on('SIGTERM', () => {
  stopped = true;
});
console.log('reference drain ready');
while (!stopped) {
  const { rows } = await pool.query<Row>(
    `UPDATE webhook_deliveries d SET locked_until = now() + interval '30 seconds'
     FROM webhook_endpoints e
     WHERE d.id IN (SELECT id FROM webhook_deliveries
                    WHERE status = 'pending' AND next_attempt_at <= now()
                      AND (locked_until IS NULL OR locked_until < now())
                    ORDER BY next_attempt_at LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)
       AND e.partner_id = d.partner_id AND e.mode = d.mode AND e.source = d.source
     RETURNING d.id, d.event_id::text, d.payload, e.url`,
  );
  if (rows.length === 0) {
    await new Promise((r) => setTimeout(r, 20));
    continue;
  }
  const results: { id: string; status: number; ms: number; url: string }[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(IN_FLIGHT, rows.length) }, async () => {
      while (next < rows.length) {
        const row = rows[next++] as Row;
        const started = performance.now();
        const status = await post(row);
        results.push({ id: row.id, status, ms: Math.round(performance.now() - started), url: row.url });
      }
    }),
  );
  await pool.query(
    `WITH r AS (SELECT * FROM json_to_recordset($1::json) AS r(id uuid, status int, ms int, url text)),
     attempts AS (INSERT INTO webhook_attempts (delivery_id, duration_ms, url, status_code, trigger)
                  SELECT id, ms, url, status, 'automatic' FROM r)
     UPDATE webhook_deliveries d SET
       status = CASE WHEN r.status BETWEEN 200 AND 299 THEN 'succeeded' ELSE 'pending' END,
       attempt_count = attempt_count + 1, last_attempt_at = now(), locked_until = NULL,
       delivered_at = CASE WHEN r.status BETWEEN 200 AND 299 THEN now() END,
       next_attempt_at = CASE WHEN r.status BETWEEN 200 AND 299 THEN NULL ELSE now() + interval '1 minute' END
     FROM r WHERE d.id = r.id`,
    [JSON.stringify(results)],
  );
}
await pool.end();
process.exit(0);
