import { type TSchema, Type } from '@sinclair/typebox';
import { EVENT_TYPES } from '../domain/events.ts';

// What only the HTTP layer has: the error envelope, path and query parameters, list pages. The objects the
// API publishes (sessions, events, endpoints, branding, widget answers) live in domain/shapes.ts.

export const ErrorEnvelope = Type.Object(
  {
    statusCode: Type.Integer({ examples: [422] }),
    message: Type.Union([Type.String(), Type.Array(Type.String())], {
      description: 'A sentence saying what to fix; an array with one entry per field on validation errors.',
    }),
    error: Type.String({
      description: 'Short class name you can branch on, e.g. "Forbidden".',
      examples: ['Unprocessable Entity'],
    }),
    code: Type.Optional(
      Type.String({
        description:
          'A stable name to branch on: on every 403 (docs/errors.md, e.g. quota_exhausted, kyc_package_not_trusted) and some 422s.',
      }),
    ),
  },
  { $id: 'ErrorEnvelope', title: 'Error' },
);

export const errorResponses = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, Type.Ref(ErrorEnvelope)]));

export const ObjectIdParam = Type.Object({
  id: Type.String({ description: 'A 24-hex session id, e.g. 67a1f3b9e4b0c10001234567' }),
});

export const EmptyBody = Type.Object({}, { additionalProperties: false });

/** Page size when a list request names none. */
export const DEFAULT_PAGE_SIZE = 10;

export const ListQuery = Type.Object(
  {
    // Optional for the caller (OpenAPI says so); validation fills in the default before any handler runs.
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: DEFAULT_PAGE_SIZE })),
    starting_after: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);

export const listOf = <T extends TSchema>(item: T, id: string) =>
  Type.Object(
    { object: Type.Literal('list'), data: Type.Array(item), has_more: Type.Boolean() },
    { $id: id, title: id },
  );

export const EventsQuery = Type.Object(
  {
    ...ListQuery.properties,
    // Event ids are UUIDs: a malformed cursor is refused here, before the database is asked.
    starting_after: Type.Optional(
      Type.String({ format: 'uuid', description: 'Events older than this event id (the next page)' }),
    ),
    ending_before: Type.Optional(
      Type.String({
        format: 'uuid',
        description: 'Events newer than this event id (the page after it)',
      }),
    ),
    type: Type.Optional(Type.String({ enum: [...EVENT_TYPES] })),
  },
  { additionalProperties: false },
);
