import Fastify from 'fastify';

// The baseline: the cheapest JSON route Fastify can serve, measured in the same run as the real API.
const app = Fastify({ logger: false });
const body = { id: '67a1f3b9e4b0c10001234567', object: 'gate_session', status: 'open', amount: '100.00' };
app.get('/bare', async () => body);
// The POST twin for signed APIs: parse a small JSON body, answer a small JSON object.
app.post('/bare', async (request) => ({ code: 0, msg: 'OK', data: request.body }));
await app.listen({ port: 0, host: '127.0.0.1' });
console.log(`0Gate API listening on http://localhost:${(app.server.address() as { port: number }).port}`);
