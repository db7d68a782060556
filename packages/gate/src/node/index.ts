export {
  DEFAULT_BASE_URL,
  GateClient,
  type GateClientOptions,
  type RequestOptions,
  USER_AGENT,
} from './client.ts';
export * from './errors.ts';
export type * from './types.ts';
