/**
 * What only the HTTP layer has: the error envelope, error responses per status, security schemes. The orders
 * and quotes 0trace publishes live in domain/shapes.ts. Shared shapes carry an $id: openapi.ts adds them once
 * and routes refer to them.
 */
import { namedSchemas } from '@0bit/http/validation';
import { type TSchema, Type } from '@sinclair/typebox';
import * as shapes from '../domain/shapes.ts';
import { ERROR_CODES } from '../errors.ts';

/**
 * Answers whose fields are listed in docs/exchange/cabinet.md rather than here: an object, serialized as the
 * handler returns it (every field kept).
 */
export const AnyObject = Type.Object({}, { additionalProperties: true });

/** Every failure (docs/exchange/errors.md): `msg` is the stable name, `data.message` says what to fix. */
export const ErrorEnvelope = Type.Object(
  {
    code: Type.Integer({ description: 'docs/exchange/errors.md; never 0' }),
    msg: Type.Union(Object.keys(ERROR_CODES).map((name) => Type.Literal(name))),
    data: Type.Object(
      {
        message: Type.String(),
        requestId: Type.String(),
        errors: Type.Optional(Type.Array(Type.String(), { description: 'INVALID_REQUEST: one per problem' })),
        retryAfter: Type.Optional(Type.Integer({ description: 'RATE_LIMITED, UNAVAILABLE: seconds' })),
      },
      // Some errors add their own details (AMOUNT_OUT_OF_RANGE's min and max): kept, never stripped.
      { additionalProperties: true },
    ),
  },
  { $id: 'ErrorEnvelope' },
);

/** Every shape with an $id (all of domain/shapes.ts, and the envelope): one named component each. */
export const SHARED_SCHEMAS: TSchema[] = [...namedSchemas(shapes), ErrorEnvelope];

/** `{code: 0, msg: "OK", data}` around a route's data. */
export function okEnvelope(data: TSchema) {
  const ref = typeof data.$id === 'string' ? Type.Ref(data.$id) : data;
  return Type.Object({ code: Type.Literal(0), msg: Type.Literal('OK'), data: ref });
}

const errorRef = (description: string) => ({ ...Type.Ref('ErrorEnvelope'), description });

/** Every status a 0trace route may fail with, each the error envelope. */
export const errorResponses = {
  400: errorRef('INVALID_REQUEST, INVALID_ADDRESS, UNKNOWN_CURRENCY, AMOUNT_OUT_OF_RANGE'),
  401: errorRef('AUTH_INVALID: a missing, malformed, unknown, mis-signed or replayed credential'),
  404: errorRef('ORDER_NOT_FOUND, NOT_FOUND'),
  409: errorRef('RATE_EXPIRED, IDEMPOTENCY_CONFLICT, INVALID_STATE'),
  429: errorRef('RATE_LIMITED (Retry-After)'),
  500: errorRef('INTERNAL'),
  503: errorRef('UNAVAILABLE (Retry-After)'),
};

/** OpenAPI security: all of these headers together (docs/exchange/authentication.md). */
export const SIGNED = { apiKey: [], signature: [], nonce: [] };
/** Routes that take only a v2 signature (signature-v2.ts V2_ROUTES) need the timestamp too. */
export const SIGNED_V2 = { ...SIGNED, timestamp: [] };

export const SECURITY_SCHEMES = {
  apiKey: {
    type: 'apiKey',
    in: 'header',
    name: 'X-API-KEY',
    description: 'The apiKey from onboarding or your latest rotation',
  },
  signature: {
    type: 'apiKey',
    in: 'header',
    name: 'X-API-SIGN',
    description:
      'v1: hex HMAC-SHA256 of the exact body bytes, keyed with your apiSecret. v2: "v2=" + hex HMAC-SHA256 of "v2\\n<METHOD>\\n<path>\\n<nonce>\\n<timestamp>\\n<hex SHA-256 of the body>" (docs/exchange/authentication.md)',
  },
  nonce: {
    type: 'apiKey',
    in: 'header',
    name: 'X-API-NONCE',
    description: '8–128 of [A-Za-z0-9._:-], fresh per request (refused if reused with this key within 24 h)',
  },
  timestamp: {
    type: 'apiKey',
    in: 'header',
    name: 'X-API-TIMESTAMP',
    description: 'v2 only: the current unix time in seconds (±300 s)',
  },
  adminToken: {
    type: 'http',
    scheme: 'bearer',
    description: 'Operator only: ADMIN_TOKEN',
  },
} as const;
