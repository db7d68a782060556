import type { Selectable } from 'kysely';
import type { ExchangeOrdersTable, WebhookDeliveriesTable, WidgetIntentsTable } from './generated/rows.ts';

/**
 * Kysely's view of the tables created by `migrations/`. The row types are generated from a migrated
 * database (`npm run db:types`, src/generated/rows.ts), so a migration and the types cannot disagree;
 * literal unions come from the migrations' CHECK constraints, Mode and Flow from @0bit/core.
 */
export type * from './generated/rows.ts';

export type DeliveryStatus = Selectable<WebhookDeliveriesTable>['status'];
/** Which product a webhook belongs to: 0Gate (Gate-Signature) or the 0trace partner API (X-Partner-Webhook-Sign). */
export type WebhookSource = Selectable<WebhookDeliveriesTable>['source'];
export type ExchangeStatus = Selectable<ExchangeOrdersTable>['status'];
export type IntentStatus = Selectable<WidgetIntentsTable>['status'];
/** While an intent is `processing`: which money step it claimed. */
export type IntentPhase = NonNullable<Selectable<WidgetIntentsTable>['phase']>;
