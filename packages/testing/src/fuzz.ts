import fc from 'fast-check';

/**
 * Schema-driven input generators for the fuzz tests of both products: "valid-ish" values built from a JSON
 * schema (OpenAPI or TypeBox), and hostile values mixed in — control characters, lone surrogates, huge
 * strings, deep nesting, wrong types, prototype keys, numbers as strings, empty values.
 */

/** The base seed: FUZZ_SEED reproduces a failing run (fast-check prints the seed and path it used). */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20261203);
/** Multiplies every route's numRuns (FUZZ_SCALE=10 for a long local run). */
export const FUZZ_SCALE = Number(process.env.FUZZ_SCALE ?? 1);

// biome-ignore lint/suspicious/noExplicitAny: JSON schemas of both products, read structurally.
type Schema = any;

const CONTROL_CODES = [
  ...Array.from({ length: 0x20 }, (_, i) => i),
  ...Array.from({ length: 0x21 }, (_, i) => 0x7f + i),
];

const controlString = fc
  .tuple(fc.string({ maxLength: 8 }), fc.constantFrom(...CONTROL_CODES), fc.string({ maxLength: 8 }))
  .map(([a, code, b]) => `${a}${String.fromCharCode(code)}${b}`);

const nested = (depth: number, leaf: unknown, array: boolean): unknown => {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = array ? [value] : { a: value };
  return value;
};

/** Objects carrying prototype keys as own properties (what JSON.parse makes of them), so they serialise. */
const protoObjects = fc.constantFrom(
  JSON.parse('{"__proto__":{"admin":true}}'),
  JSON.parse('{"constructor":{"prototype":{"admin":true}}}'),
  JSON.parse('{"a":{"__proto__":"x"}}'),
);

/** One hostile JSON value of any type. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  controlString,
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('\ud800', 'a\udfffb', '\u202e\u200b', '\ufeff', '\u{10ffff}', 'Zoë 山田 🚀'),
  fc.constantFrom('', ' ', '0', '-1', '1e308', 'NaN', 'null', 'true', '[]', '{}', '../../etc/passwd'),
  fc.integer().map(String),
  fc.constantFrom('x'.repeat(300), 'x'.repeat(5_000), 'é'.repeat(20_000), 'x'.repeat(70_000)),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.constantFrom(0, -1, 1.5, Number.MAX_SAFE_INTEGER, 2 ** 64, -0, 1e308),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.string({ maxLength: 5 }), fc.integer()), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 4 }),
  fc
    .tuple(fc.integer({ min: 10, max: 400 }), fc.boolean())
    .map(([depth, array]) => nested(depth, 'x', array)),
  protoObjects,
);

/** Whole request bodies as raw text that JSON.stringify cannot produce. */
export const hostileRawBody: fc.Arbitrary<string> = fc.constantFrom(
  '',
  '{',
  '{"a":1,}',
  'null',
  '"text"',
  '[]',
  '{"a":1,"a":2}',
  '{"__proto__":{"admin":true}}',
  '{"constructor":{"prototype":{"admin":true}}}',
  `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`,
  `${'['.repeat(20000)}${']'.repeat(20000)}`,
  '{"a":"\\u0000"}',
  '{"a":"\\ud800"}',
  '\u0000',
);

function resolve(schema: Schema, root: Schema): Schema {
  let current = schema;
  for (let i = 0; current?.$ref && i < 10; i++) {
    const ref: string = current.$ref;
    const name = ref.split('/').pop() ?? '';
    current = root?.components?.schemas?.[name] ?? root?.definitions?.[name] ?? {};
  }
  return current ?? {};
}

const SAMPLE_FORMATS: Record<string, fc.Arbitrary<string>> = {
  uri: fc.constantFrom(
    'https://partner.example/complete',
    'http://localhost:3000/done',
    'https://evil.example/x',
    'javascript:alert(1)',
    'https://partner.example:8443/x',
  ),
  'date-time': fc
    .integer({ min: -3_600_000, max: 10 * 86_400_000 })
    .map((offset) => new Date(Date.now() + offset).toISOString()),
  date: fc
    .date({
      min: new Date('1960-01-01T00:00:00Z'),
      max: new Date('2100-01-01T00:00:00Z'),
      noInvalidDate: true,
    })
    .map((d) => d.toISOString().slice(0, 10)),
  uuid: fc.uuid(),
};

/** A value that respects the schema most of the time (enums, formats, patterns, bounds, examples). */
export function validish(schema: Schema, root: Schema = {}, depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(schema, root);
  if (s.const !== undefined) return fc.constant(s.const);
  if (Array.isArray(s.enum)) return fc.constantFrom(...s.enum);
  const alternatives = s.anyOf ?? s.oneOf;
  if (Array.isArray(alternatives))
    return fc.oneof(...alternatives.map((a: Schema) => validish(a, root, depth + 1)));
  if (Array.isArray(s.type))
    return fc.oneof(...s.type.map((type: string) => validish({ ...s, type }, root, depth + 1)));
  const examples: unknown[] = Array.isArray(s.examples) ? s.examples : [];
  const withExamples = (arbitrary: fc.Arbitrary<unknown>) =>
    examples.length > 0 ? fc.oneof(fc.constantFrom(...examples), arbitrary) : arbitrary;
  switch (s.type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return withExamples(fc.integer({ min: s.minimum ?? -1_000_000, max: s.maximum ?? 1_000_000 }));
    case 'number':
      return withExamples(fc.double({ noNaN: true, noDefaultInfinity: true }));
    case 'string': {
      if (s.format && SAMPLE_FORMATS[s.format]) return withExamples(SAMPLE_FORMATS[s.format]!);
      if (s.pattern) return withExamples(fc.stringMatching(new RegExp(s.pattern)));
      const minLength = s.minLength ?? 0;
      return withExamples(
        fc.string({ minLength, maxLength: Math.max(minLength, Math.min(s.maxLength ?? 24, 24)) }),
      );
    }
    case 'array':
      return fc.array(validish(s.items ?? {}, root, depth + 1), {
        maxLength: Math.min(s.maxItems ?? 4, 4),
      });
    default: {
      if (s.type !== 'object' && !s.properties) return depth > 3 ? fc.constant('x') : hostileValue;
      if (depth > 4) return fc.constant({});
      const properties: Record<string, Schema> = s.properties ?? {};
      const required = new Set<string>(s.required ?? []);
      const record = fc.record(
        Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, validish(v, root, depth + 1)])),
        { requiredKeys: Object.keys(properties).filter((k) => required.has(k)) },
      );
      if (s.additionalProperties && typeof s.additionalProperties === 'object') {
        const keys = s.propertyNames?.pattern
          ? fc.stringMatching(new RegExp(s.propertyNames.pattern))
          : fc.string({ minLength: 1, maxLength: 12 });
        return fc
          .tuple(
            record,
            fc.dictionary(keys, validish(s.additionalProperties, root, depth + 1), { maxKeys: 4 }),
          )
          .map(([known, extra]) => ({ ...extra, ...known }));
      }
      return record;
    }
  }
}

/** A valid-ish value with one place (a field, a nested field or the whole) swapped for a hostile value. */
export function mutated(schema: Schema, root: Schema = {}): fc.Arbitrary<unknown> {
  const s = resolve(schema, root);
  const names = Object.keys(s.properties ?? {});
  return fc
    .tuple(validish(s, root), fc.nat(), hostileValue, fc.constantFrom('replace', 'add', 'unknown'))
    .map(([value, index, hostile, how]) => {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return hostile;
      const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
      const name = names.length > 0 ? names[index % names.length]! : 'field';
      if (how === 'unknown') copy[`x_${index % 7}`] = hostile;
      else if (how === 'add' && typeof copy[name] === 'object' && copy[name] !== null)
        copy[name] = { ...(copy[name] as object), [`k${index % 5}`]: hostile };
      else copy[name] = hostile;
      return copy;
    });
}

/** A known-good body with one field replaced (by a hostile or a schema-generated value) or removed. */
function mutatedGood(good: object[], schema: Schema, root: Schema): fc.Arbitrary<unknown> {
  const s = resolve(schema, root);
  return fc
    .tuple(fc.constantFrom(...good), fc.nat(), fc.oneof(hostileValue, validish(s, root)), fc.nat(3))
    .map(([sample, index, replacement, how]) => {
      const copy: Record<string, unknown> = { ...(sample as Record<string, unknown>) };
      const names = Object.keys(copy);
      if (names.length === 0) return replacement;
      const name = names[index % names.length]!;
      if (how === 0) delete copy[name];
      else if (
        how === 1 &&
        typeof replacement === 'object' &&
        replacement !== null &&
        !Array.isArray(replacement)
      )
        return { ...copy, ...replacement };
      else copy[name] = replacement;
      return copy;
    });
}

/**
 * A request body: valid-ish, often with one hostile field, sometimes hostile as a whole or raw. `good` are
 * known-good bodies (the ones the docs show): sent as they are and with one field changed, so the fuzz also
 * reaches the domain code behind validation.
 */
export function bodyFor(
  schema: Schema | undefined,
  root: Schema = {},
  good: object[] = [],
): fc.Arbitrary<string> {
  const s = schema ?? { type: 'object', properties: {}, additionalProperties: false };
  const fromGood =
    good.length > 0
      ? [
          { weight: 2, arbitrary: fc.constantFrom(...good).map((v) => JSON.stringify(v)) },
          { weight: 5, arbitrary: mutatedGood(good, s, root).map((v) => JSON.stringify(v)) },
        ]
      : [];
  return fc.oneof(
    ...fromGood,
    { weight: 3, arbitrary: validish(s, root).map((v) => JSON.stringify(v)) },
    { weight: 4, arbitrary: mutated(s, root).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: hostileValue.map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: hostileRawBody },
  );
}

/** Text for a query or path parameter: valid-ish from its schema, or hostile. */
export function paramText(schema: Schema, root: Schema = {}): fc.Arbitrary<string> {
  const text = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  return fc.oneof(
    { weight: 3, arbitrary: validish(schema ?? {}, root).map(text) },
    { weight: 2, arbitrary: hostileValue.map(text).filter((t) => t.length < 4000) },
  );
}

/** A failure report cut to a readable size (a deep-nesting counterexample is 40 000 characters). */
export const short = (text: string, max = 1500) =>
  text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text;
