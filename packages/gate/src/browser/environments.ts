/**
 * Where each environment's API and hosted widget live (spec: "Browser SDK: environment, apiBaseUrl,
 * iframeUrl"). `development` deliberately differs from the spec's table (API :3000, widget :3001): it points
 * at what `npm start` serves in this repository — the API on :4000 and the widget on :3000 — so a page on
 * localhost works with no overrides (docs/browser-sdk.md).
 */
export type Environment = 'production' | 'sandbox' | 'development';

export const ENVIRONMENTS: Record<Environment, { apiBaseUrl: string; iframeUrl: string }> = {
  production: { apiBaseUrl: 'https://gate-api.0bit.app', iframeUrl: 'https://gate.0bit.app' },
  sandbox: { apiBaseUrl: 'https://gate-api-sandbox.0bit.app', iframeUrl: 'https://gate-sandbox.0bit.app' },
  development: { apiBaseUrl: 'http://localhost:4000', iframeUrl: 'http://localhost:3000' },
};
