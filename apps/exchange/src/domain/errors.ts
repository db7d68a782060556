// The catalogue lives in src/errors.ts, beside config.ts, because every layer answers in it (the store too:
// a Redis nonce store that cannot answer refuses with UNAVAILABLE). Importers of this path keep working.
export * from '../errors.ts';
