import { rateLimit } from '@0bit/http/rate-limit';
import { type Static, Type } from '@sinclair/typebox';
import type { RampProvidersByMode } from '../domain/ramp/providers.ts';
import {
  cancelFromWidget,
  confirmIntent,
  createIntent,
  currentIntent,
  verifyKyc,
  widgetQuote,
} from '../domain/ramp/widget.ts';
import type { App, RouteDeps } from './context.ts';
import { type EmbedDeps, embedCors, embedTokenGuard } from './embed.ts';
import { errorResponses, FlowEnum, Nullable } from './schemas.ts';

const Token = Type.String({
  minLength: 1,
  maxLength: 10,
  pattern: '^[A-Z0-9]+$',
  'x-hint': 'must be a token symbol such as "USDT"',
});
const Network = Type.String({
  minLength: 1,
  maxLength: 20,
  pattern: '^[a-z0-9]+$',
  'x-hint': 'must be a network such as "arbitrum"',
});
const Selection = {
  flow: Type.Optional(FlowEnum),
  token: Type.Optional(Token),
  network: Type.Optional(Network),
  from_token: Type.Optional(Token),
  from_network: Type.Optional(Network),
};
const Crypto = Type.Object({ token: Type.String(), network: Type.String(), amount: Type.String() });

export const WidgetQuote = Type.Object(
  {
    object: Type.Literal('widget_quote'),
    flow: FlowEnum,
    amount: Type.String(),
    currency: Type.String(),
    crypto: Crypto,
    fees: Type.Object({ processing: Type.String(), network: Type.String() }),
    rate: Type.String({ description: 'Fiat per one token, before fees' }),
    source: Nullable(
      Type.Object({
        token: Type.String(),
        network: Type.String(),
        amount: Type.String(),
        rate: Type.String(),
      }),
    ),
    kyc_required: Type.Boolean(),
  },
  { $id: 'WidgetQuote', title: 'WidgetQuote' },
);

export const WidgetIntent = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal('widget_intent'),
    flow: FlowEnum,
    status: Type.Union(
      (['requires_payment', 'requires_action', 'processing', 'succeeded', 'failed'] as const).map((s) =>
        Type.Literal(s),
      ),
    ),
    amount: Type.String(),
    currency: Type.String(),
    crypto: Crypto,
    source: Nullable(
      Type.Object({
        token: Type.String(),
        network: Nullable(Type.String()),
        amount: Nullable(Type.String()),
      }),
    ),
    destination: Type.String({ description: 'The wallet (buy, swap) or the masked IBAN (sell)' }),
    deposit_address: Nullable(Type.String()),
    next_action: Nullable(Type.Object({ type: Type.Literal('three_ds_challenge') })),
    failure_reason: Nullable(Type.String()),
    tx_refid: Nullable(Type.String()),
    return_url: Type.String(),
    expires_at: Type.String({
      format: 'date-time',
      description: 'The intent and its deposit address are valid until the session expires',
    }),
  },
  { $id: 'WidgetIntent', title: 'WidgetIntent' },
);

export const WidgetResume = Type.Object(
  {
    object: Type.Literal('widget_resume'),
    intent: Nullable(Type.Object(WidgetIntent.properties)),
  },
  { $id: 'WidgetResume', title: 'WidgetResume' },
);

/** The answers as the widget reads them (it imports these types only, so none of this reaches its bundle). */
export type WidgetQuote = Static<typeof WidgetQuote>;
export type WidgetIntent = Static<typeof WidgetIntent>;
export type WidgetResume = Static<typeof WidgetResume>;

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
  app.addSchema(WidgetQuote);
  app.addSchema(WidgetIntent);
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
        body: Type.Object(Selection, { additionalProperties: false }),
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
        body: Type.Object(
          {
            first_name: Type.String({ minLength: 1, maxLength: 100 }),
            last_name: Type.String({ minLength: 1, maxLength: 100 }),
            date_of_birth: Type.String({ format: 'date' }),
            country: Type.String({
              pattern: '^[A-Z]{2}$',
              'x-hint': 'must be an ISO 3166 alpha-2 code such as "DE"',
            }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            object: Type.Literal('widget_kyc'),
            status: Type.Union([Type.Literal('verified'), Type.Literal('rejected'), Type.Literal('review')]),
            reason: Nullable(Type.String()),
          }),
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
        body: Type.Object(
          {
            ...Selection,
            amount: Type.String({ minLength: 1, maxLength: 32 }),
            currency: Type.String({ minLength: 3, maxLength: 3 }),
            wallet_address: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
            iban: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          },
          { additionalProperties: false },
        ),
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
          200: Type.Object({
            object: Type.Literal('widget_cancel'),
            session_id: Type.String(),
            status: Type.String(),
            cancel_url: Nullable(
              Type.String({
                description: 'cancel_url with gate_session_id, gate_status and their signature',
              }),
            ),
          }),
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
        response: { 200: WidgetResume, ...errorResponses(401, 403, 409, 429, 503) },
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
        body: Type.Object(
          {
            card: Type.Optional(
              Type.Object(
                {
                  number: Type.String({ minLength: 12, maxLength: 23 }),
                  exp_month: Type.Integer({ minimum: 1, maximum: 12 }),
                  exp_year: Type.Integer({ minimum: 2000, maximum: 2100 }),
                  cvc: Type.String({ minLength: 3, maxLength: 4 }),
                },
                { additionalProperties: false },
              ),
            ),
            three_ds_code: Type.Optional(Type.String({ minLength: 1, maxLength: 12 })),
            simulate_deposit: Type.Optional(
              Type.Boolean({
                description:
                  'Test mode only (sell, swap): the sandbox records the quoted deposit as arrived before the confirm checks for it',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Ref(WidgetIntent), ...errorResponses(400, 401, 403, 404, 409, 422, 429, 503) },
      },
    },
    async (request) => confirmIntent(widget, request.embed!, request.params.id, request.body),
  );
}
