import type {
  ConfirmInput,
  IntentInput,
  KycInput,
  QuoteInput,
  WidgetCancel,
  WidgetIntent,
  WidgetKyc,
  WidgetQuote,
  WidgetResume,
} from '@0bit/api/domain/shapes';

/** The widget's only way to the API: X-Embed-Token, from this origin (the server checks both). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** The widget API's requests and answers are the route schemas' types (type-only: erased from the bundle). */
export type Quote = WidgetQuote;
export type Intent = WidgetIntent;

export function createApi(apiBaseUrl: string, token: string) {
  const post = async <T>(path: string, body: unknown, method = 'POST'): Promise<T> => {
    const response = await fetch(`${apiBaseUrl}${path}`, {
      method,
      headers:
        method === 'GET'
          ? { 'x-embed-token': token }
          : { 'content-type': 'application/json', 'x-embed-token': token },
      ...(method === 'GET' ? {} : { body: JSON.stringify(body) }),
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const message = Array.isArray(data.message)
        ? data.message.join('; ')
        : (data.message ?? response.statusText);
      throw new ApiError(message, response.status);
    }
    return data as T;
  };
  return {
    quote: (selection: QuoteInput) => post<Quote>('/v1/embed/quote', selection),
    kyc: (person: KycInput) => post<WidgetKyc>('/v1/embed/kyc', person),
    createIntent: (body: IntentInput) => post<Intent>('/v1/embed/intents', body),
    confirm: (id: string, body: ConfirmInput) =>
      post<Intent>(`/v1/embed/intents/${encodeURIComponent(id)}/confirm`, body),
    /** The session's open intent after a reload (resume), or null. */
    current: () => post<WidgetResume>('/v1/embed/intents/current', null, 'GET'),
    /** Cancels the session server-side; answers the signed cancel_url (or null). */
    cancel: () => post<WidgetCancel>('/v1/embed/cancel', {}),
  };
}

export type Api = ReturnType<typeof createApi>;
