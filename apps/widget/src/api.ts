import type { WidgetIntent, WidgetQuote } from '@0bit/api/domain/shapes';

/** The widget's only way to the API: X-Embed-Token, from this origin (the server checks both). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** The widget API's answers, derived from the route schemas (type-only: erased from the bundle). */
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
    quote: (selection: Record<string, string | undefined>) => post<Quote>('/v1/embed/quote', selection),
    kyc: (person: { first_name: string; last_name: string; date_of_birth: string; country: string }) =>
      post<{ status: 'verified' | 'rejected'; reason: string | null }>('/v1/embed/kyc', person),
    createIntent: (body: Record<string, string | undefined>) => post<Intent>('/v1/embed/intents', body),
    confirm: (id: string, body: Record<string, unknown>) =>
      post<Intent>(`/v1/embed/intents/${encodeURIComponent(id)}/confirm`, body),
  };
}

export type Api = ReturnType<typeof createApi>;
