import { BadRequestError, ValidationError } from '@0bit/core/errors';
import type { TSchema } from '@sinclair/typebox';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchema, FastifySchemaCompiler } from 'fastify';

// ajv-formats is CommonJS: at run time the default import is the plugin function, but TypeScript under
// NodeNext types it as the module namespace. Accept either shape.
type FormatsPlugin = (ajv: Ajv) => Ajv;
const formatsModule = addFormatsModule as unknown as FormatsPlugin | { default: FormatsPlugin };
const addFormats: FormatsPlugin = typeof formatsModule === 'function' ? formatsModule : formatsModule.default;

/**
 * Bodies are validated strictly: no type coercion, no silently dropped fields, every problem reported at
 * once. Query strings and path params are text on the wire, so they are coerced ("10" → 10).
 */
function makeAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    coerceTypes: coerce,
    removeAdditional: false,
    useDefaults: coerce,
    verbose: true,
    strict: false,
  });
  addFormats(ajv);
  ajv.addVocabulary(['x-hint']);
  return ajv;
}

const bodyAjv = makeAjv(false);
const textAjv = makeAjv(true);

/**
 * Limits every request part of both products obeys whatever its route's schema says (docs/errors.md, "Input
 * limits"). They live here, beside the schemas, because a string that passed validation goes to PostgreSQL
 * (which cannot store NUL) and free-form objects go to recursive code (canonical JSON): refusing at validation
 * is the one place that names the field and covers every route, 0trace's signed bodies included.
 */
export const INPUT_LIMITS = {
  /** Objects and arrays nest at most this deep, counting the body (or query) itself as level 1. */
  maxDepth: 16,
} as const;

// Unicode category Cc: C0 controls (tab and newline included: no field of either API is multi-line text), DEL
// and C1 controls.
const CONTROL = /\p{Cc}/u;
// With the u flag a surrogate range matches only lone surrogates, which no database encoding can store.
const LONE_SURROGATE = /[\ud800-\udfff]/u;

const pointer = (path: string[]) =>
  path.map((p) => `/${p.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');

function problem(path: string[], message: string): ErrorObject {
  return { keyword: 'inputLimits', instancePath: pointer(path), schemaPath: '#', params: {}, message };
}

function stringProblem(value: string): string | null {
  const control = CONTROL.exec(value);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    return `must not contain control characters (U+${code} at character ${control.index + 1})`;
  }
  if (LONE_SURROGATE.test(value)) return 'must be well-formed Unicode (it contains a lone surrogate)';
  return null;
}

const isPrototypeKey = (key: string, value: unknown) =>
  key === '__proto__' ||
  (key === 'constructor' && typeof value === 'object' && value !== null && 'prototype' in value);

/** The path of the first prototype key (`__proto__`, or `constructor` holding `prototype`) in a JSON value. */
export function findPrototypeKey(value: unknown, path: string[] = []): string[] | null {
  if (typeof value !== 'object' || value === null || path.length > INPUT_LIMITS.maxDepth) return null;
  for (const [key, child] of Object.entries(value)) {
    if (isPrototypeKey(key, child)) return [...path, key];
    const found = findPrototypeKey(child, [...path, key]);
    if (found) return found;
  }
  return null;
}

const prototypeKeyText = (key: string) =>
  `must not contain the key "${key}": prototype keys are refused; rename the field`;

/** The message for a prototype key at `path` (from findPrototypeKey), in the words of the validation errors. */
export function prototypeKeyMessage(path: string[]): string {
  return `${path.slice(0, -1).join('.') || 'request body'} ${prototypeKeyText(path[path.length - 1] ?? '')}`;
}

/**
 * Every string and key of a request part, at any depth (free-form objects included): no control characters,
 * well-formed Unicode, no prototype keys, bounded nesting. Stops descending at the depth limit, so a hostile
 * body cannot overflow the stack here either.
 */
function scanInput(value: unknown, path: string[] = [], out: ErrorObject[] = []): ErrorObject[] {
  if (out.length >= 20) return out;
  if (typeof value === 'string') {
    const text = stringProblem(value);
    if (text) out.push(problem(path, text));
    return out;
  }
  if (typeof value !== 'object' || value === null) return out;
  if (path.length >= INPUT_LIMITS.maxDepth) {
    out.push(
      problem(
        path.slice(0, 2),
        `nests deeper than ${INPUT_LIMITS.maxDepth} levels of objects and arrays; flatten it`,
      ),
    );
    return out;
  }
  for (const [key, child] of Object.entries(value)) {
    if (isPrototypeKey(key, child)) {
      out.push(problem(path, prototypeKeyText(key)));
      continue;
    }
    const keyText = stringProblem(key);
    if (keyText) out.push(problem(path, `has a key that ${keyText}`));
    scanInput(child, [...path, key], out);
  }
  return out;
}

/** ajv's validator, preceded by the input limits above; problems of both kinds are reported together. */
function withInputLimits(validate: ValidateFunction) {
  const check = (data: unknown): boolean => {
    const problems = scanInput(data);
    const valid = validate(data);
    check.errors = problems.length > 0 ? [...problems, ...(validate.errors ?? [])] : validate.errors;
    return valid && problems.length === 0;
  };
  check.errors = null as ErrorObject[] | null | undefined;
  return check;
}

export const validatorCompiler: FastifySchemaCompiler<FastifySchema> = ({ schema, httpPart }) => {
  const validate = (httpPart === 'body' ? bodyAjv : textAjv).compile(schema as object);
  // Header values may legitimately hold a tab, and Node's parser already refuses the other controls.
  return httpPart === 'headers' ? validate : withInputLimits(validate);
};

const FORMAT_TEXT: Record<string, string> = {
  uri: 'an absolute URL such as "https://partner.example/complete"',
  date: 'a date: a real calendar day such as "2026-11-01"',
  'date-time': 'an ISO-8601 date-time such as "2026-01-31T12:00:00Z"',
  uuid: 'a UUID such as "00000000-0000-4000-8000-000000000123"',
};

function describe(error: ErrorObject, where: string): string {
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
  const join = (name: string) => (path ? `${path}.${name}` : name);
  const field = path || where;
  const hint = (error.parentSchema as Record<string, unknown> | undefined)?.['x-hint'];
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `${join(String(params.missingProperty))} is required`;
    case 'additionalProperties':
      return `unknown field "${join(String(params.additionalProperty))}"; remove it or check its spelling`;
    case 'type': {
      const types = String(params.type).split(',');
      if (!path && types[0] === 'object') return `${where} must be a JSON object`;
      return `${field} must be ${types.map((t) => (t === 'null' ? 'null' : `a${/^[aeiou]/.test(t) ? 'n' : ''} ${t}`)).join(' or ')}`;
    }
    case 'enum':
      return `${field} must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'format':
      return `${field} must be ${FORMAT_TEXT[String(params.format)] ?? `a valid ${params.format}`}`;
    case 'minLength':
      return params.limit === 1
        ? `${field} must not be empty`
        : `${field} must be at least ${params.limit} characters`;
    case 'maxLength':
      return `${field} must be at most ${params.limit} characters`;
    case 'maxProperties':
      return `${field} must have at most ${params.limit} keys`;
    case 'minimum':
    case 'maximum':
      return `${field} must be ${error.keyword === 'minimum' ? 'at least' : 'at most'} ${params.limit}`;
    case 'pattern':
      return hint ? `${field} ${hint}` : `${field} has an invalid format`;
    case 'propertyNames':
      return `${field} keys ${hint ?? 'are invalid'}`;
    default:
      return `${field} ${error.message ?? 'is invalid'}`;
  }
}

/** Turns Ajv's errors into one readable message per problem: 422 for bodies, 400 for the rest. */
export function schemaErrorFormatter(errors: ErrorObject[], dataVar: string): Error {
  const where = dataVar === 'body' ? 'request body' : dataVar === 'querystring' ? 'query' : dataVar;
  // propertyNames reports each bad key twice (the key, then the object); keep the first of each message.
  const messages = [
    ...new Set(
      errors
        .filter((e) => e.keyword !== 'propertyNames' || e.propertyName === undefined)
        .map((e) => describe(e, where)),
    ),
  ];
  const cleaned = messages.length > 0 ? messages : errors.map((e) => describe(e, where));
  return dataVar === 'body' ? new ValidationError(cleaned) : new BadRequestError(cleaned);
}

/**
 * The schemas of a shapes module that carry an $id: an app registers each once (app.addSchema), so each is one
 * named component of its OpenAPI document and one named SDK type, and a new shape cannot be left out.
 */
export function namedSchemas(shapes: Record<string, unknown>): TSchema[] {
  return Object.values(shapes).filter(
    (value): value is TSchema => typeof value === 'object' && value !== null && '$id' in value,
  );
}
