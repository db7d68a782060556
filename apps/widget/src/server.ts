import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';

/**
 * The built widget, found through this package (not relative to this file): the same folder whether the
 * server runs these sources or the production bundle in apps/server/dist.
 */
export const WIDGET_DIST = join(
  dirname(createRequire(import.meta.url).resolve('@0bit/widget/package.json')),
  'dist',
);

/**
 * Serves the built widget and `/config.json` (the API it must talk to: chosen by this host, never by the
 * page embedding it). Any page may frame the widget; the API decides which pages may bootstrap it.
 */
export async function buildWidgetServer(options: {
  apiBaseUrl: string;
  distDir?: string;
}): Promise<FastifyInstance> {
  const root = options.distDir ?? WIDGET_DIST;
  if (!existsSync(`${root}/index.html`))
    throw new Error(`The widget is not built (${root}/index.html is missing); run "npm run build"`);
  const app = Fastify({ logger: false });
  app.addHook('onSend', async (_request, reply) => {
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header(
      'Content-Security-Policy',
      `default-src 'self'; connect-src 'self' ${options.apiBaseUrl}; img-src 'self' https: data:; style-src 'self' 'unsafe-inline'; frame-ancestors *`,
    );
  });
  app.get('/config.json', async () => ({ apiBaseUrl: options.apiBaseUrl }));
  await app.register(fastifyStatic, { root, wildcard: false });
  // One page app: every other path is the widget.
  app.setNotFoundHandler((_request, reply) => reply.type('text/html').sendFile('index.html'));
  return app;
}
