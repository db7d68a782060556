import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchema, FastifySchemaCompiler } from 'fastify';
import { BadRequestError, ValidationError } from '../domain/errors.ts';

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

export const validatorCompiler: FastifySchemaCompiler<FastifySchema> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? bodyAjv : textAjv).compile(schema as object);

const FORMAT_TEXT: Record<string, string> = {
  uri: 'an absolute URL such as "https://partner.example/complete"',
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
