export { DEFAULT_BASE_URL, GateClient, type GateClientOptions, type RequestOptions } from './client.ts';
export * from './errors.ts';
export type * from './types.ts';
