/**
 * The floor under `create`: how many tiny transactions per second this machine's PostgreSQL commits through
 * `pg` with the API's pool size, with 1 and with 6 statements each (create runs 6 plus BEGIN/COMMIT).
 * Run: DATABASE_URL=postgres://… node --import tsx bench/api/commit-ceiling.ts
 */
import pg from 'pg';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('set DATABASE_URL');
const pool = new pg.Pool({ connectionString: url, max: 10 });
await pool.query('CREATE TEMP TABLE IF NOT EXISTS x (id serial, v text)');
await pool.query('CREATE TABLE IF NOT EXISTS bench_commit_ceiling (id serial primary key, v text)');

async function run(statements: number, seconds = 5): Promise<number> {
  let done = 0;
  const until = Date.now() + seconds * 1000;
  const worker = async () => {
    while (Date.now() < until) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        for (let i = 0; i < statements; i++)
          await client.query('INSERT INTO bench_commit_ceiling (v) VALUES ($1)', ['x']);
        await client.query('COMMIT');
        done++;
      } finally {
        client.release();
      }
    }
  };
  await Promise.all(Array.from({ length: 50 }, worker));
  return Math.round(done / seconds);
}

const one = await run(1);
const six = await run(6);
console.log(
  `| raw pg transaction, 1 INSERT | ${one} tx/s |\n| raw pg transaction, 6 INSERTs | ${six} tx/s |`,
);
await pool.query('DROP TABLE bench_commit_ceiling');
await pool.end();
