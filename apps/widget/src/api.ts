import type {
  ConfirmInput,
  IntentInput,
  KycInput,
  QuoteInput,
  WidgetIntent,
  WidgetKyc,
  WidgetQuote,
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
  const post = async <T>(path: string, body: unknown): Promise<T> => {
    const response = await fetch(`${apiBaseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-embed-token': token },
      body: JSON.stringify(body),
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
  };
}

export type Api = ReturnType<typeof createApi>;
