import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { bearer, useTestServer } from '@0bit/api/test-support/server';
import type { Mode } from '@0bit/core/scope';
import { startPartnerExample } from '@0bit/example-partner-node/server';
import { freePort } from '@0bit/testing/http';
import { REPO_ROOT } from '@0bit/testing/process';
import { type Browser, chromium, type Frame, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { buildWidgetServer } from '../../src/server.ts';

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const SCREENSHOTS = join(REPO_ROOT, 'test-results', 'widget-screenshots');

export interface Shop {
  url: string;
  partnerId: string;
  keys: { publishable_key: string; secret_key: string };
  orders: Map<string, { id: string; sessionId: string; status: string; txRefid: string | null }>;
  close(): Promise<void>;
}

/**
 * The whole integration on 127.0.0.1: the real API and webhook worker, the built widget on its own origin,
 * and example shops (examples/partner-node) — each a partner with its own keys and webhook endpoint — driven
 * by headless Chromium.
 */
export function useStack() {
  const ports = { widget: 0 };
  let widgetOrigin = '';
  let widget: Awaited<ReturnType<typeof buildWidgetServer>> | undefined;
  let browser: Browser | undefined;
  const shops: Shop[] = [];
  beforeAll(async () => {
    ports.widget = await freePort();
    widgetOrigin = `http://127.0.0.1:${ports.widget}`;
  });
  const server = useTestServer({
    webhooks: {},
    get widgetOrigins() {
      return { test: widgetOrigin, live: widgetOrigin };
    },
  });
  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    widget = await buildWidgetServer({ apiBaseUrl: server.baseUrl });
    await widget.listen({ port: ports.widget, host: '127.0.0.1' });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: CHROMIUM_FLAGS,
      headless: true,
    });
  }, 60_000);
  afterAll(async () => {
    for (const shop of shops) await shop.close();
    await browser?.close();
    await widget?.close();
  });

  /** A partner and its example shop on a free port (its origin allowed unless `allowed` says otherwise). */
  async function shop(mode: Mode = 'test'): Promise<Shop> {
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const { keys, partner } = await server.partner({
      allowed_domains: [origin],
    });
    const endpoint = await server.call('PUT', '/portal/webhook-endpoint', {
      headers: bearer(keys[mode].secret_key),
      body: { url: `${origin}/webhooks/gate` },
    });
    const running = await startPartnerExample({
      port,
      secretKey: keys[mode].secret_key,
      publishableKey: keys[mode].publishable_key,
      webhookSecret: endpoint.body.secret,
      apiBaseUrl: server.baseUrl,
      iframeUrl: widgetOrigin,
      publicUrl: origin,
    });
    const result: Shop = {
      url: origin,
      partnerId: partner.id,
      keys: keys[mode],
      orders: running.orders,
      close: running.close,
    };
    shops.push(result);
    return result;
  }

  return {
    server,
    shop,
    get widgetOrigin() {
      return widgetOrigin;
    },
    async page(width = 480): Promise<Page> {
      const page = await browser!.newPage({ viewport: { width, height: 900 } });
      page.on('pageerror', (error) => console.error('page error:', error.message));
      return page;
    },
  };
}

/** The widget's frame once it has mounted. */
export async function widgetFrame(page: Page, selector = '#ramp iframe'): Promise<Frame> {
  const handle = await page.waitForSelector(selector);
  const frame = await handle.contentFrame();
  if (!frame) throw new Error('the widget iframe has no frame');
  return frame;
}

export async function events(page: Page): Promise<string> {
  return (await page.textContent('#events')) ?? '';
}

export async function waitForEvent(page: Page, pattern: RegExp, timeoutMs = 15_000): Promise<string> {
  await page.waitForFunction(
    ([source, flags]) =>
      new RegExp(source!, flags).test(document.getElementById('events')?.textContent ?? ''),
    [pattern.source, pattern.flags],
    { timeout: timeoutMs },
  );
  return events(page);
}
