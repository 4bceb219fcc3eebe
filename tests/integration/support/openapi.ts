/**
 * The OpenAPI document of the content API: built from `common/api.ts` (the zod schemas the
 * server validates with), committed as `openapi/achievements.openapi.json`, and used here to
 * validate every response the API integration tests receive. ajv is not a dependency, so a
 * small JSON Schema (2020-12) validator covers the keywords `z.toJSONSchema` emits.
 */
import { execFileSync } from 'child_process';
import fs from 'fs';
import path from 'path';
import type supertest from 'supertest';
import { z } from 'zod';
import { API_OPERATIONS, apiSchemas, type ApiOperation } from '../../../common/api';

export const OPENAPI_FILE = path.resolve(__dirname, '../../../openapi/achievements.openapi.json');
export const API_PREFIX = '/api/achievements';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = { [key: string]: any } | boolean;

// ---------------------------------------------------------------------------------------------
// Building the document
// ---------------------------------------------------------------------------------------------

const componentRef = (id: string) => `#/components/schemas/${id}`;

/** A JSON Schema for a zod schema: a $ref when it is a named component, inline otherwise. */
const schemaOf = (schema: z.ZodType): Schema => {
  const id = apiSchemas.get(schema)?.id;
  if (id) return { $ref: componentRef(id) };
  const { $schema: _s, ...inline } = z.toJSONSchema(schema, { io: 'output' }) as any;
  return inline;
};

const toOpenApiPath = (koaPath: string) => koaPath.replace(/:([A-Za-z]+)/g, '{$1}');

const parametersOf = (op: ApiOperation) => {
  const list: unknown[] = [];
  const add = (where: 'path' | 'query', shape: Record<string, z.ZodType>) => {
    for (const [name, schema] of Object.entries(shape)) {
      const json = schemaOf(schema) as Record<string, unknown>;
      const { description, ...rest } = json;
      list.push({
        name,
        in: where,
        required: where === 'path' || !schema.safeParse(undefined).success,
        ...(description ? { description } : {}),
        schema: rest,
      });
    }
  };
  if (op.params) add('path', op.params.shape as Record<string, z.ZodType>);
  if (op.query) add('query', op.query.shape as Record<string, z.ZodType>);
  return list;
};

const CACHE_HEADERS = {
  ETag: { description: 'Validator for If-None-Match', schema: { type: 'string' } },
  'Cache-Control': {
    description:
      'Data: `public, no-cache` for anonymous callers, `private, no-cache` with Authorization. ' +
      'The shipped files (this document, the card module): `max-age=300`.',
    schema: { type: 'string' },
  },
};

const operationOf = (op: ApiOperation) => {
  const security =
    op.action === null
      ? []
      : op.callers.includes('public')
        ? [{}, { bearer: [] }]
        : [{ bearer: [] }];
  const responses: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(op.responses)) {
    const contentType = response.contentType ?? 'application/json';
    responses[status] = {
      description: response.description,
      ...(op.conditional && status === '200' ? { headers: CACHE_HEADERS } : {}),
      ...(status === '304'
        ? {}
        : {
            content: {
              [contentType]: response.schema ? { schema: schemaOf(response.schema) } : {},
            },
          }),
    };
  }
  responses.default = {
    description: 'Any other error',
    content: { 'application/json': { schema: { $ref: componentRef('Error') } } },
  };
  return {
    operationId: op.operationId,
    summary: op.summary,
    description: op.description,
    tags: ['achievements'],
    security,
    ...(op.action ? { 'x-strapi-action': op.action } : {}),
    ...(op.params || op.query ? { parameters: parametersOf(op) } : {}),
    ...(op.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: schemaOf(op.body) } },
          },
        }
      : {}),
    responses,
  };
};

/** The whole document, deterministic (same input, same bytes). */
export const buildOpenApiDocument = (): Record<string, Json> => {
  const pkg = JSON.parse(
    fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')
  ) as { version: string };
  const { schemas } = z.toJSONSchema(apiSchemas, {
    io: 'output',
    uri: componentRef,
  }) as { schemas: Record<string, Record<string, unknown>> };
  const components: Record<string, unknown> = {};
  for (const id of Object.keys(schemas).sort()) {
    const { $schema: _s, $id: _i, ...schema } = schemas[id];
    components[id] = schema;
  }
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of API_OPERATIONS) {
    const p = toOpenApiPath(op.path);
    paths[p] = { ...paths[p], [op.method.toLowerCase()]: operationOf(op) };
  }
  return JSON.parse(
    JSON.stringify({
      openapi: '3.1.0',
      info: {
        title: 'strapi-plugin-achievements content API',
        version: pkg.version,
        description:
          'Badges, achievements, progress and streaks of a Strapi learning platform, for ' +
          'frontends. Each operation is a Users & Permissions action (`x-strapi-action`); ' +
          'Public and Authenticated get the read routes on first start, members also /me. ' +
          'Generated from common/api.ts.',
      },
      servers: [{ url: API_PREFIX, description: 'Relative to the Strapi server' }],
      tags: [{ name: 'achievements' }],
      paths,
      components: {
        schemas: components,
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'A users-permissions JWT (a member) or a Strapi API token',
          },
        },
      },
    })
  );
};

export const committedDocument = (): Record<string, Json> =>
  JSON.parse(fs.readFileSync(OPENAPI_FILE, 'utf8'));

/**
 * Writes the document, then formats it with the repository's Prettier (lint checks every JSON
 * file). The CLI, because Prettier's API needs ESM dynamic imports, which jest does not enable.
 */
export const writeDocument = (doc: Record<string, Json>) => {
  fs.writeFileSync(OPENAPI_FILE, `${JSON.stringify(doc, null, 2)}\n`);
  const cli = path.join(path.dirname(require.resolve('prettier/package.json')), 'bin/prettier.cjs');
  execFileSync(process.execPath, [cli, '--write', '--log-level', 'warn', OPENAPI_FILE]);
};

// ---------------------------------------------------------------------------------------------
// Validating against it
// ---------------------------------------------------------------------------------------------

const typeOf = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
};

const matchesType = (value: unknown, type: string) => {
  const actual = typeOf(value);
  return actual === type || (type === 'number' && actual === 'integer');
};

const FORMATS: Record<string, (s: string) => boolean> = {
  'date-time': (s) => !Number.isNaN(Date.parse(s)) && /T/.test(s),
  date: (s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(s)),
};

const regexCache = new Map<string, RegExp>();
const regex = (pattern: string) => {
  let r = regexCache.get(pattern);
  if (!r) {
    r = new RegExp(pattern, 'u');
    regexCache.set(pattern, r);
  }
  return r;
};

const KNOWN_KEYWORDS = new Set([
  '$ref',
  'type',
  'enum',
  'const',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'anyOf',
  'oneOf',
  'allOf',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'pattern',
  'format',
  'minItems',
  'maxItems',
  'propertyNames',
  'description',
  'default',
  'title',
  'examples',
  'readOnly',
  'writeOnly',
  'id',
]);

/** Errors of `value` against `schema` (JSON Schema 2020-12 subset), each with its JSON path. */
export const validateJson = (
  schema: Schema,
  value: unknown,
  doc: Record<string, any>,
  at = '$'
): string[] => {
  if (schema === true || schema === undefined) return [];
  if (schema === false) return [`${at}: no value is allowed here`];
  const errors: string[] = [];
  for (const key of Object.keys(schema)) {
    // An unknown keyword would be silently ignored: fail loudly so the validator grows with it.
    if (!KNOWN_KEYWORDS.has(key) && !key.startsWith('x-')) {
      throw new Error(`validator does not support the keyword "${key}" (at ${at})`);
    }
  }
  if (schema.$ref) {
    const name = String(schema.$ref).replace('#/components/schemas/', '');
    const target = doc.components?.schemas?.[name];
    if (!target) return [`${at}: unresolved $ref ${schema.$ref}`];
    errors.push(...validateJson(target, value, doc, at));
  }
  if (schema.type !== undefined) {
    const types: string[] = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => matchesType(value, t))) {
      return [...errors, `${at}: expected ${types.join(' or ')}, got ${typeOf(value)}`];
    }
  }
  if (schema.enum && !schema.enum.some((e: unknown) => e === value)) {
    errors.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  }
  if ('const' in schema && schema.const !== value) {
    errors.push(`${at}: must be ${JSON.stringify(schema.const)}`);
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum)
      errors.push(`${at}: < ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum)
      errors.push(`${at}: > ${schema.maximum}`);
    if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) {
      errors.push(`${at}: <= ${schema.exclusiveMinimum}`);
    }
    if (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum) {
      errors.push(`${at}: >= ${schema.exclusiveMaximum}`);
    }
  }
  if (typeof value === 'string') {
    const length = [...value].length;
    if (schema.minLength !== undefined && length < schema.minLength)
      errors.push(`${at}: too short`);
    if (schema.maxLength !== undefined && length > schema.maxLength) errors.push(`${at}: too long`);
    if (schema.pattern !== undefined && !regex(schema.pattern).test(value)) {
      errors.push(`${at}: ${JSON.stringify(value)} does not match ${schema.pattern}`);
    }
    if (schema.format && FORMATS[schema.format] && !FORMATS[schema.format](value)) {
      errors.push(`${at}: ${JSON.stringify(value)} is not a ${schema.format}`);
    }
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems)
      errors.push(`${at}: too few items`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems)
      errors.push(`${at}: too many items`);
    if (schema.items !== undefined) {
      value.forEach((item, i) =>
        errors.push(...validateJson(schema.items, item, doc, `${at}[${i}]`))
      );
    }
  }
  if (typeOf(value) === 'object') {
    const object = value as Record<string, unknown>;
    for (const key of schema.required ?? []) {
      if (!(key in object)) errors.push(`${at}: missing required property "${key}"`);
    }
    const properties = schema.properties ?? {};
    for (const [key, child] of Object.entries(object)) {
      if (key in properties) {
        errors.push(...validateJson(properties[key], child, doc, `${at}.${key}`));
      } else if (schema.additionalProperties !== undefined) {
        if (schema.additionalProperties === false) {
          errors.push(`${at}: unexpected property "${key}"`);
        } else {
          errors.push(...validateJson(schema.additionalProperties, child, doc, `${at}.${key}`));
        }
      }
      if (schema.propertyNames) {
        errors.push(...validateJson(schema.propertyNames, key, doc, `${at}{${key}}`));
      }
    }
  }
  if (schema.allOf) {
    for (const sub of schema.allOf) errors.push(...validateJson(sub, value, doc, at));
  }
  if (schema.anyOf) {
    const results = schema.anyOf.map((sub: Schema) => validateJson(sub, value, doc, at));
    if (!results.some((r: string[]) => r.length === 0)) {
      errors.push(
        `${at}: matches none of anyOf (${results.map((r: string[]) => r[0]).join(' | ')})`
      );
    }
  }
  if (schema.oneOf) {
    const passing = schema.oneOf.filter(
      (sub: Schema) => validateJson(sub, value, doc, at).length === 0
    );
    if (passing.length !== 1)
      errors.push(`${at}: matches ${passing.length} of oneOf, not exactly 1`);
  }
  return errors;
};

interface Route {
  method: string;
  template: string;
  pattern: RegExp;
  operation: Record<string, any>;
}

const routesOf = (doc: Record<string, any>): Route[] =>
  Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([template, item]) =>
    Object.entries(item).map(([method, operation]) => ({
      method: method.toUpperCase(),
      template,
      // A path parameter is one non-empty segment, as koa-router matches it.
      pattern: new RegExp(
        `^${API_PREFIX}${template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}/?$`
      ),
      operation,
    }))
  );

let cachedRoutes: { doc: Record<string, any>; routes: Route[] } | null = null;
const documentRoutes = () => {
  if (!cachedRoutes) {
    const doc = committedDocument();
    cachedRoutes = { doc, routes: routesOf(doc) };
  }
  return cachedRoutes;
};

/** The documented operation a request reaches, if any. */
export const operationFor = (method: string, url: string) => {
  const pathname = url.split('?')[0];
  const { routes } = documentRoutes();
  const verb = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
  return routes.find((r) => r.method === verb && r.pattern.test(pathname)) ?? null;
};

/**
 * Problems of a response against the document: the status must be documented for the
 * operation (or fall under `default`), and the body must match its schema and content type.
 */
export const responseProblems = (
  method: string,
  url: string,
  res: supertest.Response
): string[] => {
  const { doc } = documentRoutes();
  const route = operationFor(method, url);
  const where = `${method} ${url} → ${res.status}`;
  if (!route) return [`${where}: no documented operation`];
  const responses = route.operation.responses as Record<string, any>;
  const response =
    responses[String(res.status)] ?? (res.status >= 400 ? responses.default : undefined);
  if (!response) return [`${where}: status not documented for ${route.method} ${route.template}`];
  if (!response.content) {
    return res.text ? [`${where}: a ${res.status} must have no body`] : [];
  }
  if (method.toUpperCase() === 'HEAD') return [];
  const contentType = String(res.headers['content-type'] ?? '')
    .split(';')[0]
    .trim();
  const media = response.content[contentType];
  if (!media) {
    return [
      `${where}: content type "${contentType}" is not one of ${Object.keys(response.content).join(', ')}`,
    ];
  }
  if (!media.schema) return [];
  let body: unknown;
  try {
    body = JSON.parse(res.text);
  } catch {
    return [`${where}: body is not JSON: ${res.text.slice(0, 120)}`];
  }
  return validateJson(media.schema, body, doc).map((e) => `${where}: ${e}`);
};

/** Throws (failing the test) when a response does not match the document. */
export const expectDocumented = (method: string, url: string, res: supertest.Response) => {
  const problems = responseProblems(method, url, res);
  if (problems.length > 0) {
    throw new Error(
      `response does not match the OpenAPI document:\n${problems.slice(0, 10).join('\n')}`
    );
  }
  return res;
};

// ---------------------------------------------------------------------------------------------
// Calling the API (every response is checked against the document)
// ---------------------------------------------------------------------------------------------

export interface CallOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

type Requester = { request(): supertest.Agent };

/** One request to the plugin's content API; the response must match the OpenAPI document. */
export const call = async (
  app: Requester,
  method: 'GET' | 'PUT' | 'POST' | 'HEAD',
  url: string,
  options: CallOptions = {}
): Promise<supertest.Response> => {
  const agent = app.request();
  let req =
    method === 'GET'
      ? agent.get(url)
      : method === 'PUT'
        ? agent.put(url)
        : method === 'POST'
          ? agent.post(url)
          : agent.head(url);
  if (options.token) req = req.set('Authorization', `Bearer ${options.token}`);
  for (const [name, value] of Object.entries(options.headers ?? {})) req = req.set(name, value);
  if (options.body !== undefined) req = req.send(options.body as object);
  return expectDocumented(method, url, await req);
};
