import { rateLimit } from '@0bit/http/rate-limit';
import { Type } from '@sinclair/typebox';
import type { RampProvidersByMode } from '../domain/ramp/providers.ts';
import {
  cancelFromWidget,
  confirmIntent,
  createIntent,
  currentIntent,
  verifyKyc,
  widgetQuote,
} from '../domain/ramp/widget.ts';
import {
  WidgetCancel,
  WidgetConfirmBody,
  WidgetIntent,
  WidgetIntentBody,
  WidgetKyc,
  WidgetKycBody,
  WidgetQuote,
  WidgetQuoteBody,
  WidgetResume,
} from '../domain/shapes.ts';
import type { App, RouteDeps } from './context.ts';
import { type EmbedDeps, embedCors, embedTokenGuard } from './embed.ts';
import { errorResponses } from './schemas.ts';

/**
 * The hosted widget's API (docs/widget-api.md): quote, simulated KYC, payment intents and their
 * confirmation. Every route takes X-Embed-Token from the widget origin only (embedTokenGuard), for an
 * open session; money-moving steps sit behind the ramp providers (sandbox simulators in test mode).
 */
export function widgetRoutes(
  app: App,
  deps: RouteDeps,
  embed: EmbedDeps,
  providers: RampProvidersByMode,
): void {
  const { cors, preflight } = embedCors(deps.db, embed);
  const guard = embedTokenGuard(deps.db, embed);
  const limit = rateLimit(deps.counter, { name: 'embed.widget', perMinute: 120, per: 'ip' });
  const common = { onRequest: [cors, guard], preHandler: [limit] };
  const security = [{ embedToken: [] }];
  const widget = { db: deps.db, providers, box: deps.box };

  app.options('/v1/embed/quote', { schema: { hide: true } }, preflight);
  app.post(
    '/v1/embed/quote',
    {
      ...common,
      schema: {
        operationId: 'createWidgetQuote',
        summary:
          'Price the session for the widget: what the user pays or sends, what they receive, and the fees',
        tags: ['Embed'],
        security,
        body: WidgetQuoteBody,
        response: { 200: Type.Ref(WidgetQuote), ...errorResponses(400, 401, 403, 409, 422, 429, 503) },
      },
    },
    async (request) => widgetQuote(widget, request.embed!, request.body),
  );

  app.options('/v1/embed/kyc', { schema: { hide: true } }, preflight);
  app.post(
    '/v1/embed/kyc',
    {
      ...common,
      schema: {
        operationId: 'verifyWidgetKyc',
        summary:
          'Verify the user (simulated in test mode: every name passes, except last name "Reject" → rejected and "Review" → review)',
        tags: ['Embed'],
        security,
        body: WidgetKycBody,
        response: {
          200: WidgetKyc,
          ...errorResponses(400, 401, 403, 409, 422, 429, 503),
        },
      },
    },
    async (request) => verifyKyc(widget, request.embed!, request.body),
  );

  app.options('/v1/embed/intents', { schema: { hide: true } }, preflight);
  app.post(
    '/v1/embed/intents',
    {
      ...common,
      schema: {
        operationId: 'createWidgetIntent',
        summary: "Start paying for the session: amount and currency must equal the session's exactly",
        tags: ['Embed'],
        security,
        body: WidgetIntentBody,
        response: { 200: Type.Ref(WidgetIntent), ...errorResponses(400, 401, 403, 409, 422, 429, 503) },
      },
    },
    async (request) => createIntent(widget, request.embed!, request.body),
  );

  app.options('/v1/embed/cancel', { schema: { hide: true } }, preflight);
  app.post(
    '/v1/embed/cancel',
    {
      ...common,
      schema: {
        operationId: 'cancelWidgetSession',
        summary:
          "The widget's Cancel: cancels the open session (gate_session.cancelled) and answers the signed cancel_url to go to",
        tags: ['Embed'],
        security,
        body: Type.Optional(Type.Object({}, { additionalProperties: false })),
        response: {
          200: Type.Ref(WidgetCancel),
          ...errorResponses(400, 401, 403, 409, 422, 429),
        },
      },
    },
    async (request) => cancelFromWidget(widget, request.embed!),
  );

  app.options('/v1/embed/intents/current', { schema: { hide: true } }, preflight);
  app.get(
    '/v1/embed/intents/current',
    {
      ...common,
      schema: {
        operationId: 'currentWidgetIntent',
        summary:
          "The session's open intent, for a widget that reloads (resume): same id, deposit address and expiry; null when none is open",
        tags: ['Embed'],
        security,
        response: { 200: Type.Ref(WidgetResume), ...errorResponses(401, 403, 409, 429, 503) },
      },
    },
    async (request) => currentIntent(widget, request.embed!),
  );

  app.options('/v1/embed/intents/:id/confirm', { schema: { hide: true } }, preflight);
  app.post(
    '/v1/embed/intents/:id/confirm',
    {
      ...common,
      schema: {
        operationId: 'confirmWidgetIntent',
        summary:
          'Pay: charge the card (buy), or pay out a sell or swap once its deposit has arrived (409 until then); answers a 3-D Secure challenge',
        tags: ['Embed'],
        security,
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }),
        body: WidgetConfirmBody,
        response: { 200: Type.Ref(WidgetIntent), ...errorResponses(400, 401, 403, 404, 409, 422, 429, 503) },
      },
    },
    async (request) => confirmIntent(widget, request.embed!, request.params.id, request.body),
  );
}
