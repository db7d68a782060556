/**
 * Generated from GET /v1/openapi.json by `npm run sdk:types`; do not edit by hand.
 * test/openapi-types.test.ts fails when this file and the server disagree.
 */
export type paths = {
    "/branding": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This mode's co-branding tokens; all null means default 0Gate branding */
        get: operations["getBranding"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Merge branding fields: sent fields replace, null clears, others stay */
        patch: operations["updateBranding"];
        trace?: never;
    };
    "/embed/bootstrap": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Exchange a publishable key and optional clientSecret for a short-lived embed token */
        post: operations["createEmbedToken"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/embed/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** The widget's Cancel: cancels the open session (gate_session.cancelled) and answers the signed cancel_url to go to */
        post: operations["cancelWidgetSession"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/embed/intents": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Start paying for the session: amount and currency must equal the session's exactly */
        post: operations["createWidgetIntent"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/embed/intents/{id}/confirm": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Pay: charge the card (buy), or pay out a sell or swap once its deposit has arrived (409 until then); answers a 3-D Secure challenge */
        post: operations["confirmWidgetIntent"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/embed/intents/current": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The session's open intent, for a widget that reloads (resume): same id, deposit address and expiry; null when none is open */
        get: operations["currentWidgetIntent"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/embed/kyc": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Verify the user (simulated in test mode: every name passes, except last name "Reject" → rejected and "Review" → review) */
        post: operations["verifyWidgetKyc"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/embed/quote": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Price the session for the widget: what the user pays or sends, what they receive, and the fees */
        post: operations["createWidgetQuote"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/embed/session": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The widget reads its session (X-Embed-Token of a session-bound bootstrap) */
        get: operations["retrieveEmbedSession"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every event of this partner and mode, newest first; starting_after pages back, ending_before forward */
        get: operations["listEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/gate_sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Cursor-paginated session list for the authenticated partner, newest first */
        get: operations["listSessions"];
        put?: never;
        /** Create a hosted session and return a browser-safe client_secret */
        post: operations["createSession"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/gate_sessions/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Retrieve a session (never returns the client_secret) */
        get: operations["retrieveSession"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/gate_sessions/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancel an open session; 409 when it is already terminal */
        post: operations["cancelSession"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/portal/allowed-domains": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This mode's origins allowed to embed the widget */
        get: operations["getAllowedDomains"];
        /** Replace this mode's allowed origins (the other mode's list is untouched; with a live key only https, except localhost) */
        put: operations["setAllowedDomains"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/portal/keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This mode's keys, never a raw key */
        get: operations["listKeys"];
        put?: never;
        /** Create a publishable or secret key of this mode; the raw key is shown only in this answer */
        post: operations["createKey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/portal/keys/{id}/revoke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Revoke a key now, or after expires_in seconds to roll it without downtime */
        post: operations["revokeKey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/portal/usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Sessions per day by status, completed volume per currency, and this month’s quota */
        get: operations["getUsage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/portal/webhook-deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every delivery of this mode, newest first */
        get: operations["listWebhookDeliveries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/portal/webhook-deliveries/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One delivery with every attempt: time, duration, status code, error, first 1 KB of the answer */
        get: operations["retrieveWebhookDelivery"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/portal/webhook-deliveries/{id}/replay": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send the delivery again now, with the same event id (also after it failed for good) */
        post: operations["replayWebhookDelivery"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/portal/webhook-endpoint": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This mode's webhook endpoint */
        get: operations["getWebhookEndpoint"];
        /** Set this mode's webhook endpoint; the first call returns the whsec_ signing secret once */
        put: operations["setWebhookEndpoint"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/portal/webhook-secret/rotate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Roll the signing secret; the previous one keeps signing during the overlap window (default 24 h) */
        post: operations["rotateWebhookSecret"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
};
export type webhooks = Record<string, never>;
export type components = {
    schemas: {
        /** ApiKey */
        ApiKey: {
            /** Format: date-time */
            created_at: string;
            /** @description Kind, mode and four characters, e.g. sk_live_AbCd */
            display_prefix: string;
            id: string;
            last_used_at: string | null;
            /** @enum {string} */
            mode: "test" | "live";
            /** @description When the key stops (or stopped) working; in the future while a rolled key is in its grace period */
            revoked_at: string | null;
            /** @enum {string} */
            type: "publishable" | "secret";
        };
        /** Branding */
        Branding: {
            /** @description #RRGGBB */
            accent_color: string | null;
            /** @description 1–64 characters */
            brand_name: string | null;
            /** @description Absolute https URL */
            logo_url: string | null;
            /** @description #RRGGBB */
            primary_color: string | null;
            /** @description #RRGGBB */
            secondary_color: string | null;
        };
        /** CreatedApiKey */
        CreatedApiKey: {
            /** Format: date-time */
            created_at: string;
            /** @description Kind, mode and four characters, e.g. sk_live_AbCd */
            display_prefix: string;
            id: string;
            /** @description pk_… or sk_…, shown only here */
            key: string;
            last_used_at: string | null;
            /** @enum {string} */
            mode: "test" | "live";
            /** @description When the key stops (or stopped) working; in the future while a rolled key is in its grace period */
            revoked_at: string | null;
            /** @enum {string} */
            type: "publishable" | "secret";
        };
        /** CreatedGateSession */
        CreatedGateSession: {
            /** @example 100.00 */
            amount: string;
            /** Format: uri */
            cancel_url: string | null;
            /** @description gsec_<sessionId>_<32 chars>. Returned only in this response; send it to the browser. */
            client_secret: string;
            /** Format: date-time */
            created_at: string | null;
            /** @example EUR */
            currency: string;
            destination_networks: string[] | null;
            destination_tokens: string[] | null;
            /** Format: date-time */
            expires_at: string;
            /** @enum {string|null} */
            flow: "on_ramp" | "off_ramp" | "swap" | null;
            /**
             * @description ObjectId hex
             * @example 67a1f3b9e4b0c10001234567
             */
            id: string;
            kyc_pre_verified: boolean;
            /** @description The widget shows wallet_address read-only and the API pays only to it */
            lock_wallet_address: boolean;
            metadata: {
                [key: string]: string;
            };
            /** @enum {string} */
            mode: "test" | "live";
            /** @enum {string} */
            object: "gate_session";
            partner_id: string;
            /** Format: uri */
            return_url: string;
            /** @enum {string} */
            status: "open" | "completed" | "expired" | "cancelled";
            target_network: string | null;
            target_token: string | null;
            /** @description What the payment is or was in fact; null until the widget has created an intent */
            transaction_details: {
                deposit_address: string | null;
                deposit_transaction_id: string | null;
                destination_amount: string;
                /** @description What the customer receives (buy, swap: token; sell: fiat) */
                destination_currency: string;
                destination_network: string | null;
                /** @description Fiat per token (buy, sell) or destination per source token (swap), before fees */
                exchange_rate: string | null;
                /** @description Live mode: the transaction on a block explorer */
                explorer_url: string | null;
                fees: {
                    amount: string;
                    currency: string;
                    /** @enum {string} */
                    type: "processing" | "network";
                }[];
                /** @enum {string} */
                flow: "on_ramp" | "off_ramp" | "swap";
                /** @description The bank account paid out to (sell), masked */
                iban: string | null;
                /** @description The widget payment attempt these details describe */
                intent_id: string;
                /** @description Why the attempt failed, e.g. card_declined */
                last_error: string | null;
                /** @enum {string} */
                payment_method: "card" | "crypto_deposit";
                source_amount: string | null;
                /** @description What the customer pays (buy: fiat) or sends (sell, swap: token) */
                source_currency: string;
                source_network: string | null;
                /** @enum {string} */
                status: "requires_payment" | "requires_action" | "processing" | "succeeded" | "failed";
                /** @description The settlement transaction (tx_refid) once paid */
                transaction_id: string | null;
                /** @description The wallet paid out to (buy, swap), as confirmed */
                wallet_address: string | null;
            } | null;
            user_reference: string | null;
            wallet_address: string | null;
        };
        /** CreateSessionBody */
        CreateSessionBody: {
            /**
             * @description Positive decimal string with at most the currency minor-unit digits; returned canonical.
             * @example 100.00
             */
            amount: string;
            /** Format: uri */
            cancel_url?: string | null;
            currency: string;
            /** @description Allow-list of networks the customer may pick */
            destination_networks?: ("bitcoin" | "ethereum" | "arbitrum" | "optimism" | "base" | "polygon" | "tron" | "solana")[] | null;
            /** @description Allow-list of tokens the customer may receive (buy, swap) or sell */
            destination_tokens?: ("BTC" | "ETH" | "POL" | "SOL" | "TRX" | "USDC" | "USDT")[] | null;
            /**
             * Format: date-time
             * @description Default 24 h after creation; test ≥ +1 s, live ≥ +30 min, ≤ +7 days.
             */
            expires_at?: string;
            /** @enum {string|null} */
            flow?: "on_ramp" | "off_ramp" | "swap" | null;
            /** @description Trusted-KYC pass-through (kyc_trusted partners only). Never echoed in any response or webhook. */
            kyc_package?: {
                provider: string;
            } & {
                [key: string]: unknown;
            };
            /** @description Default true when wallet_address is given: the customer cannot change it (shown read-only, enforced at confirm) */
            lock_wallet_address?: boolean;
            /** @description Opaque partner notes returned verbatim: at most 50 keys (1–40 of [A-Za-z0-9_.-]), string values up to 500 characters. */
            metadata?: {
                [key: string]: string;
            };
            /** Format: uri */
            return_url: string;
            /** @enum {string|null} */
            target_network?: "bitcoin" | "ethereum" | "arbitrum" | "optimism" | "base" | "polygon" | "tron" | "solana" | null;
            /** @enum {string|null} */
            target_token?: "BTC" | "ETH" | "POL" | "SOL" | "TRX" | "USDC" | "USDT" | null;
            user_reference?: string | null;
            wallet_address?: string | null;
        };
        /** EmbedBootstrap */
        EmbedBootstrap: {
            amount: string | null;
            available: boolean;
            branding: components["schemas"]["Branding"];
            cancel_url: string | null;
            currency: string | null;
            /** Format: date-time */
            expires_at: string;
            /** @enum {string|null} */
            flow: "on_ramp" | "off_ramp" | "swap" | null;
            kyc_pre_verified: boolean;
            /** @description Show wallet_address read-only */
            lock_wallet_address: boolean;
            /** @enum {string} */
            mode: "test" | "live";
            partner_id: string;
            return_url: string | null;
            session_id: string | null;
            target_network: string | null;
            target_token: string | null;
            /** @description HS256 JWT; send as X-Embed-Token from the widget */
            token: string;
            unavailable_reason: string | null;
            wallet_address: string | null;
        };
        /** Error */
        ErrorEnvelope: {
            /** @description A stable name to branch on: on every 403 (docs/errors.md, e.g. quota_exhausted, kyc_package_not_trusted) and some 422s. */
            code?: string;
            /**
             * @description Short class name you can branch on, e.g. "Forbidden".
             * @example Unprocessable Entity
             */
            error: string;
            /** @description A sentence saying what to fix; an array with one entry per field on validation errors. */
            message: string | string[];
            /** @example 422 */
            statusCode: number;
        };
        /** Event */
        Event: {
            /** @description Unix epoch seconds */
            created_at: number;
            data: {
                [key: string]: unknown;
            };
            /**
             * Format: uuid
             * @description Stable across retries; your dedupe key.
             */
            id: string;
            /**
             * @example gate_session.created
             * @example gate_session.completed
             * @example gate_session.expired
             * @example gate_session.cancelled
             * @example gate_session.kyc_package_accepted
             * @example gate_session.failed
             * @example kyc.required
             * @example partner.quota.warning
             * @example partner.quota.exhausted
             */
            type: string;
        };
        /** GateSession */
        GateSession: {
            /** @example 100.00 */
            amount: string;
            /** Format: uri */
            cancel_url: string | null;
            /** Format: date-time */
            created_at: string | null;
            /** @example EUR */
            currency: string;
            destination_networks: string[] | null;
            destination_tokens: string[] | null;
            /** Format: date-time */
            expires_at: string;
            /** @enum {string|null} */
            flow: "on_ramp" | "off_ramp" | "swap" | null;
            /**
             * @description ObjectId hex
             * @example 67a1f3b9e4b0c10001234567
             */
            id: string;
            kyc_pre_verified: boolean;
            /** @description The widget shows wallet_address read-only and the API pays only to it */
            lock_wallet_address: boolean;
            metadata: {
                [key: string]: string;
            };
            /** @enum {string} */
            mode: "test" | "live";
            /** @enum {string} */
            object: "gate_session";
            partner_id: string;
            /** Format: uri */
            return_url: string;
            /** @enum {string} */
            status: "open" | "completed" | "expired" | "cancelled";
            target_network: string | null;
            target_token: string | null;
            /** @description What the payment is or was in fact; null until the widget has created an intent */
            transaction_details: {
                deposit_address: string | null;
                deposit_transaction_id: string | null;
                destination_amount: string;
                /** @description What the customer receives (buy, swap: token; sell: fiat) */
                destination_currency: string;
                destination_network: string | null;
                /** @description Fiat per token (buy, sell) or destination per source token (swap), before fees */
                exchange_rate: string | null;
                /** @description Live mode: the transaction on a block explorer */
                explorer_url: string | null;
                fees: {
                    amount: string;
                    currency: string;
                    /** @enum {string} */
                    type: "processing" | "network";
                }[];
                /** @enum {string} */
                flow: "on_ramp" | "off_ramp" | "swap";
                /** @description The bank account paid out to (sell), masked */
                iban: string | null;
                /** @description The widget payment attempt these details describe */
                intent_id: string;
                /** @description Why the attempt failed, e.g. card_declined */
                last_error: string | null;
                /** @enum {string} */
                payment_method: "card" | "crypto_deposit";
                source_amount: string | null;
                /** @description What the customer pays (buy: fiat) or sends (sell, swap: token) */
                source_currency: string;
                source_network: string | null;
                /** @enum {string} */
                status: "requires_payment" | "requires_action" | "processing" | "succeeded" | "failed";
                /** @description The settlement transaction (tx_refid) once paid */
                transaction_id: string | null;
                /** @description The wallet paid out to (buy, swap), as confirmed */
                wallet_address: string | null;
            } | null;
            user_reference: string | null;
            wallet_address: string | null;
        };
        /** TransactionDetails */
        TransactionDetails: {
            deposit_address: string | null;
            deposit_transaction_id: string | null;
            destination_amount: string;
            /** @description What the customer receives (buy, swap: token; sell: fiat) */
            destination_currency: string;
            destination_network: string | null;
            /** @description Fiat per token (buy, sell) or destination per source token (swap), before fees */
            exchange_rate: string | null;
            /** @description Live mode: the transaction on a block explorer */
            explorer_url: string | null;
            fees: {
                amount: string;
                currency: string;
                /** @enum {string} */
                type: "processing" | "network";
            }[];
            /** @enum {string} */
            flow: "on_ramp" | "off_ramp" | "swap";
            /** @description The bank account paid out to (sell), masked */
            iban: string | null;
            /** @description The widget payment attempt these details describe */
            intent_id: string;
            /** @description Why the attempt failed, e.g. card_declined */
            last_error: string | null;
            /** @enum {string} */
            payment_method: "card" | "crypto_deposit";
            source_amount: string | null;
            /** @description What the customer pays (buy: fiat) or sends (sell, swap: token) */
            source_currency: string;
            source_network: string | null;
            /** @enum {string} */
            status: "requires_payment" | "requires_action" | "processing" | "succeeded" | "failed";
            /** @description The settlement transaction (tx_refid) once paid */
            transaction_id: string | null;
            /** @description The wallet paid out to (buy, swap), as confirmed */
            wallet_address: string | null;
        };
        /** Usage */
        Usage: {
            days: {
                cancelled: number;
                completed: number;
                created: number;
                date: string;
                expired: number;
            }[];
            from: string;
            /** @enum {string} */
            mode: "test" | "live";
            /** @enum {string} */
            object: "usage";
            quota: {
                monthly_sessions: number | null;
                /** @description UTC month, YYYY-MM */
                period: string;
                remaining: number | null;
                sessions_created: number;
                /** @enum {string} */
                state: "unlimited" | "ok" | "warning" | "exhausted";
            };
            to: string;
            volume: {
                amount: string;
                currency: string;
                sessions: number;
            }[];
        };
        /** WebhookDelivery */
        WebhookDelivery: {
            attempt_count: number;
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            delivered_at: string | null;
            /** Format: uuid */
            event_id: string;
            event_type: string;
            /** Format: uuid */
            id: string;
            /** Format: date-time */
            last_attempt_at: string | null;
            /** @enum {string} */
            mode: "test" | "live";
            /** Format: date-time */
            next_attempt_at: string | null;
            /** @enum {string} */
            object: "webhook_delivery";
            session_id: string | null;
            /** @enum {string} */
            status: "pending" | "succeeded" | "failed";
        };
        /** WebhookDeliveryWithAttempts */
        WebhookDeliveryWithAttempts: {
            attempt_count: number;
            attempts: {
                /** Format: date-time */
                attempted_at: string;
                duration_ms: number;
                error: string | null;
                response_body: string | null;
                status_code: number | null;
                /** @enum {string} */
                trigger: "automatic" | "replay";
                url: string;
            }[];
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            delivered_at: string | null;
            /** Format: uuid */
            event_id: string;
            event_type: string;
            /** Format: uuid */
            id: string;
            /** Format: date-time */
            last_attempt_at: string | null;
            /** @enum {string} */
            mode: "test" | "live";
            /** Format: date-time */
            next_attempt_at: string | null;
            /** @enum {string} */
            object: "webhook_delivery";
            session_id: string | null;
            /** @enum {string} */
            status: "pending" | "succeeded" | "failed";
        };
        /** WebhookEndpoint */
        WebhookEndpoint: {
            /** Format: date-time */
            created_at: string;
            /** @enum {string} */
            mode: "test" | "live";
            /** @enum {string} */
            object: "webhook_endpoint";
            /** @description whsec_…, only in the answer that created it */
            secret?: string;
            secrets: {
                /** Format: date-time */
                created_at: string;
                display_prefix: string;
                /** Format: date-time */
                expires_at: string | null;
            }[];
            /** Format: date-time */
            updated_at: string;
            url: string;
        };
        /** WebhookSecret */
        WebhookSecret: {
            display_prefix: string;
            /** @enum {string} */
            object: "webhook_secret";
            /** Format: date-time */
            previous_expires_at: string | null;
            /** @description The new whsec_ secret, shown only here */
            secret: string;
        };
        /** WidgetCancel */
        WidgetCancel: {
            /** @description cancel_url with gate_session_id, gate_status and their signature */
            cancel_url: string | null;
            /** @enum {string} */
            object: "widget_cancel";
            session_id: string;
            status: string;
        };
        /** WidgetIntent */
        WidgetIntent: {
            amount: string;
            crypto: {
                amount: string;
                network: string;
                token: string;
            };
            currency: string;
            deposit_address: string | null;
            /** @description The wallet (buy, swap) or the masked IBAN (sell) */
            destination: string;
            /**
             * Format: date-time
             * @description The intent and its deposit address are valid until the session expires
             */
            expires_at: string;
            failure_reason: string | null;
            /** @enum {string} */
            flow: "on_ramp" | "off_ramp" | "swap";
            id: string;
            next_action: {
                /** @enum {string} */
                type: "three_ds_challenge";
            } | null;
            /** @enum {string} */
            object: "widget_intent";
            /** @description Once succeeded: with gate_session_id, gate_status and their signature appended */
            return_url: string;
            source: {
                amount: string | null;
                network: string | null;
                token: string;
            } | null;
            status: "requires_payment" | "requires_action" | "processing" | "succeeded" | "failed";
            tx_refid: string | null;
        };
        /** WidgetQuote */
        WidgetQuote: {
            amount: string;
            crypto: {
                amount: string;
                network: string;
                token: string;
            };
            currency: string;
            fees: {
                network: string;
                processing: string;
            };
            /** @enum {string} */
            flow: "on_ramp" | "off_ramp" | "swap";
            kyc_required: boolean;
            /** @enum {string} */
            object: "widget_quote";
            /** @description Fiat per one token, before fees */
            rate: string;
            source: {
                amount: string;
                network: string;
                rate: string;
                token: string;
            } | null;
        };
        /** WidgetResume */
        WidgetResume: {
            intent: {
                amount: string;
                crypto: {
                    amount: string;
                    network: string;
                    token: string;
                };
                currency: string;
                deposit_address: string | null;
                /** @description The wallet (buy, swap) or the masked IBAN (sell) */
                destination: string;
                /**
                 * Format: date-time
                 * @description The intent and its deposit address are valid until the session expires
                 */
                expires_at: string;
                failure_reason: string | null;
                /** @enum {string} */
                flow: "on_ramp" | "off_ramp" | "swap";
                id: string;
                next_action: {
                    /** @enum {string} */
                    type: "three_ds_challenge";
                } | null;
                /** @enum {string} */
                object: "widget_intent";
                /** @description Once succeeded: with gate_session_id, gate_status and their signature appended */
                return_url: string;
                source: {
                    amount: string | null;
                    network: string | null;
                    token: string;
                } | null;
                status: "requires_payment" | "requires_action" | "processing" | "succeeded" | "failed";
                tx_refid: string | null;
            } | null;
            /** @enum {string} */
            object: "widget_resume";
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
};
export type $defs = Record<string, never>;
export interface operations {
    getBranding: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Branding"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    updateBranding: {
        parameters: {
            query?: never;
            header?: {
                /** @description Required. A UUID you store with the write and reuse only to retry it: the retry gets the original answer with Idempotent-Replayed: true. */
                "idempotency-key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    accent_color?: string | null;
                    brand_name?: string | null;
                    logo_url?: string | null;
                    primary_color?: string | null;
                    secondary_color?: string | null;
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Branding"];
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    createEmbedToken: {
        parameters: {
            query?: {
                /** @description pk_… (this route only) */
                publishable_key?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    clientSecret?: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EmbedBootstrap"];
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    cancelWidgetSession: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WidgetCancel"];
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    createWidgetIntent: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    amount: string;
                    currency: string;
                    /** @enum {string} */
                    flow?: "on_ramp" | "off_ramp" | "swap";
                    from_network?: string;
                    from_token?: string;
                    iban?: string;
                    network?: string;
                    token?: string;
                    wallet_address?: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WidgetIntent"];
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    confirmWidgetIntent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    card?: {
                        cvc: string;
                        exp_month: number;
                        exp_year: number;
                        number: string;
                    };
                    /** @description Test mode only (sell, swap): the sandbox records the quoted deposit as arrived before the confirm checks for it */
                    simulate_deposit?: boolean;
                    three_ds_code?: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WidgetIntent"];
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    currentWidgetIntent: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WidgetResume"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    verifyWidgetKyc: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    country: string;
                    /** Format: date */
                    date_of_birth: string;
                    first_name: string;
                    last_name: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        object: "widget_kyc";
                        reason: string | null;
                        status: "verified" | "rejected" | "review";
                    };
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    createWidgetQuote: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @enum {string} */
                    flow?: "on_ramp" | "off_ramp" | "swap";
                    from_network?: string;
                    from_token?: string;
                    network?: string;
                    token?: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WidgetQuote"];
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    retrieveEmbedSession: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GateSession"];
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    listEvents: {
        parameters: {
            query?: {
                /** @description Events newer than this event id (the page after it) */
                ending_before?: string;
                limit?: number;
                /** @description Events older than this event id (the next page) */
                starting_after?: string;
                type?: "gate_session.created" | "gate_session.completed" | "gate_session.expired" | "gate_session.cancelled" | "gate_session.kyc_package_accepted" | "gate_session.failed" | "kyc.required" | "partner.quota.warning" | "partner.quota.exhausted";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            /** @description Unix epoch seconds */
                            created_at: number;
                            data: {
                                [key: string]: unknown;
                            };
                            /**
                             * Format: uuid
                             * @description Stable across retries; your dedupe key.
                             */
                            id: string;
                            /**
                             * @example gate_session.created
                             * @example gate_session.completed
                             * @example gate_session.expired
                             * @example gate_session.cancelled
                             * @example gate_session.kyc_package_accepted
                             * @example gate_session.failed
                             * @example kyc.required
                             * @example partner.quota.warning
                             * @example partner.quota.exhausted
                             */
                            type: string;
                        }[];
                        has_more: boolean;
                        /** @enum {string} */
                        object: "list";
                    };
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    listSessions: {
        parameters: {
            query?: {
                limit?: number;
                starting_after?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            /** @example 100.00 */
                            amount: string;
                            /** Format: uri */
                            cancel_url: string | null;
                            /** Format: date-time */
                            created_at: string | null;
                            /** @example EUR */
                            currency: string;
                            destination_networks: string[] | null;
                            destination_tokens: string[] | null;
                            /** Format: date-time */
                            expires_at: string;
                            /** @enum {string|null} */
                            flow: "on_ramp" | "off_ramp" | "swap" | null;
                            /**
                             * @description ObjectId hex
                             * @example 67a1f3b9e4b0c10001234567
                             */
                            id: string;
                            kyc_pre_verified: boolean;
                            /** @description The widget shows wallet_address read-only and the API pays only to it */
                            lock_wallet_address: boolean;
                            metadata: {
                                [key: string]: string;
                            };
                            /** @enum {string} */
                            mode: "test" | "live";
                            /** @enum {string} */
                            object: "gate_session";
                            partner_id: string;
                            /** Format: uri */
                            return_url: string;
                            /** @enum {string} */
                            status: "open" | "completed" | "expired" | "cancelled";
                            target_network: string | null;
                            target_token: string | null;
                            /** @description What the payment is or was in fact; null until the widget has created an intent */
                            transaction_details: {
                                deposit_address: string | null;
                                deposit_transaction_id: string | null;
                                destination_amount: string;
                                /** @description What the customer receives (buy, swap: token; sell: fiat) */
                                destination_currency: string;
                                destination_network: string | null;
                                /** @description Fiat per token (buy, sell) or destination per source token (swap), before fees */
                                exchange_rate: string | null;
                                /** @description Live mode: the transaction on a block explorer */
                                explorer_url: string | null;
                                fees: {
                                    amount: string;
                                    currency: string;
                                    /** @enum {string} */
                                    type: "processing" | "network";
                                }[];
                                /** @enum {string} */
                                flow: "on_ramp" | "off_ramp" | "swap";
                                /** @description The bank account paid out to (sell), masked */
                                iban: string | null;
                                /** @description The widget payment attempt these details describe */
                                intent_id: string;
                                /** @description Why the attempt failed, e.g. card_declined */
                                last_error: string | null;
                                /** @enum {string} */
                                payment_method: "card" | "crypto_deposit";
                                source_amount: string | null;
                                /** @description What the customer pays (buy: fiat) or sends (sell, swap: token) */
                                source_currency: string;
                                source_network: string | null;
                                /** @enum {string} */
                                status: "requires_payment" | "requires_action" | "processing" | "succeeded" | "failed";
                                /** @description The settlement transaction (tx_refid) once paid */
                                transaction_id: string | null;
                                /** @description The wallet paid out to (buy, swap), as confirmed */
                                wallet_address: string | null;
                            } | null;
                            user_reference: string | null;
                            wallet_address: string | null;
                        }[];
                        has_more: boolean;
                        /** @enum {string} */
                        object: "list";
                    };
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    createSession: {
        parameters: {
            query?: never;
            header?: {
                /** @description Required. A UUID you store with the write and reuse only to retry it: the retry gets the original answer with Idempotent-Replayed: true. */
                "idempotency-key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /**
                     * @description Positive decimal string with at most the currency minor-unit digits; returned canonical.
                     * @example 100.00
                     */
                    amount: string;
                    /** Format: uri */
                    cancel_url?: string | null;
                    currency: string;
                    /** @description Allow-list of networks the customer may pick */
                    destination_networks?: ("bitcoin" | "ethereum" | "arbitrum" | "optimism" | "base" | "polygon" | "tron" | "solana")[] | null;
                    /** @description Allow-list of tokens the customer may receive (buy, swap) or sell */
                    destination_tokens?: ("BTC" | "ETH" | "POL" | "SOL" | "TRX" | "USDC" | "USDT")[] | null;
                    /**
                     * Format: date-time
                     * @description Default 24 h after creation; test ≥ +1 s, live ≥ +30 min, ≤ +7 days.
                     */
                    expires_at?: string;
                    /** @enum {string|null} */
                    flow?: "on_ramp" | "off_ramp" | "swap" | null;
                    /** @description Trusted-KYC pass-through (kyc_trusted partners only). Never echoed in any response or webhook. */
                    kyc_package?: {
                        provider: string;
                    } & {
                        [key: string]: unknown;
                    };
                    /** @description Default true when wallet_address is given: the customer cannot change it (shown read-only, enforced at confirm) */
                    lock_wallet_address?: boolean;
                    /** @description Opaque partner notes returned verbatim: at most 50 keys (1–40 of [A-Za-z0-9_.-]), string values up to 500 characters. */
                    metadata?: {
                        [key: string]: string;
                    };
                    /** Format: uri */
                    return_url: string;
                    /** @enum {string|null} */
                    target_network?: "bitcoin" | "ethereum" | "arbitrum" | "optimism" | "base" | "polygon" | "tron" | "solana" | null;
                    /** @enum {string|null} */
                    target_token?: "BTC" | "ETH" | "POL" | "SOL" | "TRX" | "USDC" | "USDT" | null;
                    user_reference?: string | null;
                    wallet_address?: string | null;
                };
            };
        };
        responses: {
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @example 100.00 */
                        amount: string;
                        /** Format: uri */
                        cancel_url: string | null;
                        /** @description gsec_<sessionId>_<32 chars>. Returned only in this response; send it to the browser. */
                        client_secret: string;
                        /** Format: date-time */
                        created_at: string | null;
                        /** @example EUR */
                        currency: string;
                        destination_networks: string[] | null;
                        destination_tokens: string[] | null;
                        /** Format: date-time */
                        expires_at: string;
                        /** @enum {string|null} */
                        flow: "on_ramp" | "off_ramp" | "swap" | null;
                        /**
                         * @description ObjectId hex
                         * @example 67a1f3b9e4b0c10001234567
                         */
                        id: string;
                        kyc_pre_verified: boolean;
                        /** @description The widget shows wallet_address read-only and the API pays only to it */
                        lock_wallet_address: boolean;
                        metadata: {
                            [key: string]: string;
                        };
                        /** @enum {string} */
                        mode: "test" | "live";
                        /** @enum {string} */
                        object: "gate_session";
                        partner_id: string;
                        /** Format: uri */
                        return_url: string;
                        /** @enum {string} */
                        status: "open" | "completed" | "expired" | "cancelled";
                        target_network: string | null;
                        target_token: string | null;
                        /** @description What the payment is or was in fact; null until the widget has created an intent */
                        transaction_details: {
                            deposit_address: string | null;
                            deposit_transaction_id: string | null;
                            destination_amount: string;
                            /** @description What the customer receives (buy, swap: token; sell: fiat) */
                            destination_currency: string;
                            destination_network: string | null;
                            /** @description Fiat per token (buy, sell) or destination per source token (swap), before fees */
                            exchange_rate: string | null;
                            /** @description Live mode: the transaction on a block explorer */
                            explorer_url: string | null;
                            fees: {
                                amount: string;
                                currency: string;
                                /** @enum {string} */
                                type: "processing" | "network";
                            }[];
                            /** @enum {string} */
                            flow: "on_ramp" | "off_ramp" | "swap";
                            /** @description The bank account paid out to (sell), masked */
                            iban: string | null;
                            /** @description The widget payment attempt these details describe */
                            intent_id: string;
                            /** @description Why the attempt failed, e.g. card_declined */
                            last_error: string | null;
                            /** @enum {string} */
                            payment_method: "card" | "crypto_deposit";
                            source_amount: string | null;
                            /** @description What the customer pays (buy: fiat) or sends (sell, swap: token) */
                            source_currency: string;
                            source_network: string | null;
                            /** @enum {string} */
                            status: "requires_payment" | "requires_action" | "processing" | "succeeded" | "failed";
                            /** @description The settlement transaction (tx_refid) once paid */
                            transaction_id: string | null;
                            /** @description The wallet paid out to (buy, swap), as confirmed */
                            wallet_address: string | null;
                        } | null;
                        user_reference: string | null;
                        wallet_address: string | null;
                    };
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    retrieveSession: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A 24-hex session id, e.g. 67a1f3b9e4b0c10001234567 */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @example 100.00 */
                        amount: string;
                        /** Format: uri */
                        cancel_url: string | null;
                        /** Format: date-time */
                        created_at: string | null;
                        /** @example EUR */
                        currency: string;
                        destination_networks: string[] | null;
                        destination_tokens: string[] | null;
                        /** Format: date-time */
                        expires_at: string;
                        /** @enum {string|null} */
                        flow: "on_ramp" | "off_ramp" | "swap" | null;
                        /**
                         * @description ObjectId hex
                         * @example 67a1f3b9e4b0c10001234567
                         */
                        id: string;
                        kyc_pre_verified: boolean;
                        /** @description The widget shows wallet_address read-only and the API pays only to it */
                        lock_wallet_address: boolean;
                        metadata: {
                            [key: string]: string;
                        };
                        /** @enum {string} */
                        mode: "test" | "live";
                        /** @enum {string} */
                        object: "gate_session";
                        partner_id: string;
                        /** Format: uri */
                        return_url: string;
                        /** @enum {string} */
                        status: "open" | "completed" | "expired" | "cancelled";
                        target_network: string | null;
                        target_token: string | null;
                        /** @description What the payment is or was in fact; null until the widget has created an intent */
                        transaction_details: {
                            deposit_address: string | null;
                            deposit_transaction_id: string | null;
                            destination_amount: string;
                            /** @description What the customer receives (buy, swap: token; sell: fiat) */
                            destination_currency: string;
                            destination_network: string | null;
                            /** @description Fiat per token (buy, sell) or destination per source token (swap), before fees */
                            exchange_rate: string | null;
                            /** @description Live mode: the transaction on a block explorer */
                            explorer_url: string | null;
                            fees: {
                                amount: string;
                                currency: string;
                                /** @enum {string} */
                                type: "processing" | "network";
                            }[];
                            /** @enum {string} */
                            flow: "on_ramp" | "off_ramp" | "swap";
                            /** @description The bank account paid out to (sell), masked */
                            iban: string | null;
                            /** @description The widget payment attempt these details describe */
                            intent_id: string;
                            /** @description Why the attempt failed, e.g. card_declined */
                            last_error: string | null;
                            /** @enum {string} */
                            payment_method: "card" | "crypto_deposit";
                            source_amount: string | null;
                            /** @description What the customer pays (buy: fiat) or sends (sell, swap: token) */
                            source_currency: string;
                            source_network: string | null;
                            /** @enum {string} */
                            status: "requires_payment" | "requires_action" | "processing" | "succeeded" | "failed";
                            /** @description The settlement transaction (tx_refid) once paid */
                            transaction_id: string | null;
                            /** @description The wallet paid out to (buy, swap), as confirmed */
                            wallet_address: string | null;
                        } | null;
                        user_reference: string | null;
                        wallet_address: string | null;
                    };
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    cancelSession: {
        parameters: {
            query?: never;
            header?: {
                /** @description Required. A UUID you store with the write and reuse only to retry it: the retry gets the original answer with Idempotent-Replayed: true. */
                "idempotency-key"?: string;
            };
            path: {
                /** @description A 24-hex session id, e.g. 67a1f3b9e4b0c10001234567 */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @example 100.00 */
                        amount: string;
                        /** Format: uri */
                        cancel_url: string | null;
                        /** Format: date-time */
                        created_at: string | null;
                        /** @example EUR */
                        currency: string;
                        destination_networks: string[] | null;
                        destination_tokens: string[] | null;
                        /** Format: date-time */
                        expires_at: string;
                        /** @enum {string|null} */
                        flow: "on_ramp" | "off_ramp" | "swap" | null;
                        /**
                         * @description ObjectId hex
                         * @example 67a1f3b9e4b0c10001234567
                         */
                        id: string;
                        kyc_pre_verified: boolean;
                        /** @description The widget shows wallet_address read-only and the API pays only to it */
                        lock_wallet_address: boolean;
                        metadata: {
                            [key: string]: string;
                        };
                        /** @enum {string} */
                        mode: "test" | "live";
                        /** @enum {string} */
                        object: "gate_session";
                        partner_id: string;
                        /** Format: uri */
                        return_url: string;
                        /** @enum {string} */
                        status: "open" | "completed" | "expired" | "cancelled";
                        target_network: string | null;
                        target_token: string | null;
                        /** @description What the payment is or was in fact; null until the widget has created an intent */
                        transaction_details: {
                            deposit_address: string | null;
                            deposit_transaction_id: string | null;
                            destination_amount: string;
                            /** @description What the customer receives (buy, swap: token; sell: fiat) */
                            destination_currency: string;
                            destination_network: string | null;
                            /** @description Fiat per token (buy, sell) or destination per source token (swap), before fees */
                            exchange_rate: string | null;
                            /** @description Live mode: the transaction on a block explorer */
                            explorer_url: string | null;
                            fees: {
                                amount: string;
                                currency: string;
                                /** @enum {string} */
                                type: "processing" | "network";
                            }[];
                            /** @enum {string} */
                            flow: "on_ramp" | "off_ramp" | "swap";
                            /** @description The bank account paid out to (sell), masked */
                            iban: string | null;
                            /** @description The widget payment attempt these details describe */
                            intent_id: string;
                            /** @description Why the attempt failed, e.g. card_declined */
                            last_error: string | null;
                            /** @enum {string} */
                            payment_method: "card" | "crypto_deposit";
                            source_amount: string | null;
                            /** @description What the customer pays (buy: fiat) or sends (sell, swap: token) */
                            source_currency: string;
                            source_network: string | null;
                            /** @enum {string} */
                            status: "requires_payment" | "requires_action" | "processing" | "succeeded" | "failed";
                            /** @description The settlement transaction (tx_refid) once paid */
                            transaction_id: string | null;
                            /** @description The wallet paid out to (buy, swap), as confirmed */
                            wallet_address: string | null;
                        } | null;
                        user_reference: string | null;
                        wallet_address: string | null;
                    };
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    getAllowedDomains: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description Exact origins: scheme, host, optional port — e.g. https://shop.example, http://localhost:3000 */
                        allowed_domains: string[];
                    };
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    setAllowedDomains: {
        parameters: {
            query?: never;
            header?: {
                /** @description Required. A UUID you store with the write and reuse only to retry it: the retry gets the original answer with Idempotent-Replayed: true. */
                "idempotency-key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description Exact origins: scheme, host, optional port — e.g. https://shop.example, http://localhost:3000 */
                    allowed_domains: string[];
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description Exact origins: scheme, host, optional port — e.g. https://shop.example, http://localhost:3000 */
                        allowed_domains: string[];
                    };
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    listKeys: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["ApiKey"][];
                        /** @enum {string} */
                        object: "list";
                    };
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    createKey: {
        parameters: {
            query?: never;
            header?: {
                /** @description Required. A UUID you store with the write and reuse only to retry it: the retry gets the original answer with Idempotent-Replayed: true. */
                "idempotency-key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @enum {string} */
                    type: "publishable" | "secret";
                };
            };
        };
        responses: {
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CreatedApiKey"];
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    revokeKey: {
        parameters: {
            query?: never;
            header?: {
                /** @description Required. A UUID you store with the write and reuse only to retry it: the retry gets the original answer with Idempotent-Replayed: true. */
                "idempotency-key"?: string;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    expires_in?: number;
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiKey"];
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    getUsage: {
        parameters: {
            query?: {
                /** @description YYYY-MM-DD (UTC), default 29 days before to */
                from?: string;
                /** @description YYYY-MM-DD (UTC), default today */
                to?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Usage"];
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    listWebhookDeliveries: {
        parameters: {
            query?: {
                event_type?: "gate_session.created" | "gate_session.completed" | "gate_session.expired" | "gate_session.cancelled" | "gate_session.kyc_package_accepted" | "gate_session.failed" | "kyc.required" | "partner.quota.warning" | "partner.quota.exhausted";
                limit?: number;
                session_id?: string;
                starting_after?: string;
                status?: "pending" | "succeeded" | "failed";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: components["schemas"]["WebhookDelivery"][];
                        has_more: boolean;
                        /** @enum {string} */
                        object: "list";
                    };
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    retrieveWebhookDelivery: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Delivery id (UUID) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookDeliveryWithAttempts"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    replayWebhookDelivery: {
        parameters: {
            query?: never;
            header?: {
                /** @description Required. A UUID you store with the write and reuse only to retry it: the retry gets the original answer with Idempotent-Replayed: true. */
                "idempotency-key"?: string;
            };
            path: {
                /** @description Delivery id (UUID) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookDelivery"];
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    getWebhookEndpoint: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookEndpoint"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    setWebhookEndpoint: {
        parameters: {
            query?: never;
            header?: {
                /** @description Required. A UUID you store with the write and reuse only to retry it: the retry gets the original answer with Idempotent-Replayed: true. */
                "idempotency-key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    url: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookEndpoint"];
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
    rotateWebhookSecret: {
        parameters: {
            query?: never;
            header?: {
                /** @description Required. A UUID you store with the write and reuse only to retry it: the retry gets the original answer with Idempotent-Replayed: true. */
                "idempotency-key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description Seconds the previous secret keeps signing; 0 = now. */
                    expire_previous_in?: number;
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookSecret"];
                };
            };
            /** @description Default Response */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
            /** @description Default Response */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorEnvelope"];
                };
            };
        };
    };
}
