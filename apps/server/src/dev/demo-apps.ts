import { join } from 'node:path';
import { setEndpoint } from '@0bit/api/domain/webhook-endpoints';
import { readJsonIfExists, writePrivateJson } from '@0bit/core/private-json';
import type { SecretBox } from '@0bit/core/secret-box';
import type { Db } from '@0bit/db/connection';
import { startPartnerExample } from '@0bit/example-partner-node/server';
import { buildWidgetServer } from '@0bit/widget/server';
import type { DemoPartner } from './demo-partner.ts';

/**
 * `npm start`'s newcomer tour: the hosted widget (WIDGET_PORT) and, for the demo partner, the example shop
 * (EXAMPLE_PORT) whose webhook endpoint this points at the shop, keeping the signing secret in DATA_DIR so
 * later starts can verify too.
 */
export async function startWidget(options: { port: number; host: string; apiBaseUrl: string }) {
  const widget = await buildWidgetServer({ apiBaseUrl: options.apiBaseUrl });
  await widget.listen({ port: options.port, host: options.host });
  return widget;
}

async function demoWebhookSecret(db: Db, box: SecretBox, dataDir: string, demo: DemoPartner, url: string) {
  const file = join(dataDir, 'demo-webhook.json');
  const saved = readJsonIfExists<{ url: string; secret: string }>(file);
  if (saved?.url === url) return saved.secret;
  const endpoint = await setEndpoint(db, box, { partnerId: demo.partner_id, mode: 'test' }, url);
  if (!endpoint.secret) return null; // an endpoint set by hand earlier keeps its own secret
  writePrivateJson(file, { url, secret: endpoint.secret });
  return endpoint.secret;
}

export async function startExampleShop(options: {
  db: Db;
  box: SecretBox;
  dataDir: string;
  demo: DemoPartner;
  port: number;
  host: string;
  apiBaseUrl: string;
  widgetUrl: string;
}) {
  const webhookUrl = `http://localhost:${options.port}/webhooks/gate`;
  return startPartnerExample({
    port: options.port,
    host: options.host,
    secretKey: options.demo.secret_key,
    publishableKey: options.demo.publishable_key,
    webhookSecret: await demoWebhookSecret(
      options.db,
      options.box,
      options.dataDir,
      options.demo,
      webhookUrl,
    ),
    apiBaseUrl: options.apiBaseUrl,
    iframeUrl: options.widgetUrl,
  });
}
