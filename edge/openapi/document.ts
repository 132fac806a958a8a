// The OpenAPI 3.1 document, generated from the route specs and their zod schemas (OpenAPI 3.1
// uses JSON Schema 2020-12, which z.toJSONSchema emits). Request schemas are rendered as clients
// write them (io: input, defaults optional), responses as the server sends them (io: output).
import { z } from 'zod';
import type { ZodObject, ZodType } from 'zod';
import { PROBLEM_CONTENT_TYPE } from '../../shared/errors.ts';
import { ProblemSchema } from '../api/schemas.ts';
import type { RouteSpec } from './route.ts';

type JsonSchema = Record<string, unknown>;

export interface DocumentInfo {
  title: string;
  version: string;
  description: string;
}

/** Problems every route can answer (besides its own `problems`). */
const COMMON_PROBLEMS: Record<number, string> = {
  400: 'The request is malformed (problem+json names the field).',
  500: 'Internal error (quote the requestId).',
};
const PROBLEM_TEXT: Record<number, string> = {
  401: 'Missing or invalid bearer token.',
  403: 'The token may not do this (admin key vs tenant key).',
  404: 'No such bank, class, reference or image (also when it belongs to another tenant).',
  409: 'Conflict: exists already, or made with another model.',
  413: 'The body exceeds the size limit (refused before it is read).',
  415: 'Wrong Content-Type, or an image that is not JPEG, PNG, WebP, GIF (first frame) or TIFF (first page), sniffed from its bytes; the problem names the type found.',
  422: 'Well-formed but unusable: malformed mask, polygon or box; too many pixels; corrupt image.',
  429: 'The API key is over its request rate or its requests in progress (see Retry-After).',
  502: 'A gpu-node failed.',
  503: 'No gpu-node is available (see Retry-After).',
};

function schemaOf(schema: ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

/** `:bankId` → `{bankId}`. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function parameters(where: 'path' | 'query', object: ZodObject | undefined): JsonSchema[] {
  if (!object) return [];
  const required = new Set<string>((schemaOf(object, 'input').required as string[] | undefined) ?? []);
  return Object.entries(object.shape).map(([name, field]) => {
    const schema = schemaOf(field as ZodType, 'input');
    const { description, ...rest } = schema;
    return { name, in: where, required: where === 'path' || required.has(name), ...(description === undefined ? {} : { description }), schema: rest };
  });
}

function problemResponse(description: string, status: number): JsonSchema {
  return {
    description,
    headers: status === 503 || status === 429 ? { 'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } } } : undefined,
    content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } },
  };
}

/**
 * Problem statuses of a route besides the common ones: what its description implies (auth, a
 * checked path, query or body, a size-limited body), then what its handler adds (`problems`).
 */
export function problemStatuses(route: RouteSpec): number[] {
  const implied = [
    ...(route.access === 'public' ? [] : [401, 403]),
    ...(route.access === 'tenant' ? [429] : []),
    ...(route.params || route.query || route.body ? [422] : []),
    ...(route.body ? [413, 415] : []),
  ];
  return [...new Set([...implied, ...(route.problems ?? [])])].sort((a, b) => a - b);
}

function operation(route: RouteSpec): JsonSchema {
  const responses: Record<string, JsonSchema> = {};
  for (const [status, r] of Object.entries(route.responses)) {
    responses[status] = {
      description: r.description,
      ...(r.headers ? { headers: Object.fromEntries(Object.entries(r.headers).map(([h, d]) => [h, { description: d, schema: { type: 'string' } }])) } : {}),
      ...(r.schema ? { content: { [r.contentType ?? 'application/json']: { schema: schemaOf(r.schema, 'output') } } } : r.contentType ? { content: { [r.contentType]: {} } } : {}),
    };
  }
  for (const status of problemStatuses(route)) responses[status] = problemResponse(PROBLEM_TEXT[status] ?? 'Problem.', status);
  for (const [status, text] of Object.entries(COMMON_PROBLEMS)) responses[status] = problemResponse(text, Number(status));

  const op: JsonSchema = {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    tags: [route.tag],
    security: route.access === 'public' ? [] : [{ bearer: [] }],
    'x-access': route.access,
    parameters: [
      ...parameters('path', route.params),
      ...parameters('query', route.query),
      { name: 'X-Request-Id', in: 'header', required: false, description: 'Echoed back and passed to the gpu-node; generated when absent.', schema: { type: 'string', maxLength: 128 } },
    ],
    responses,
  };
  if (route.body) {
    op.requestBody = {
      required: true,
      ...(route.body.description ? { description: route.body.description } : {}),
      content: Object.fromEntries(
        Object.entries(route.body.content).map(([type, c]) => [
          type,
          {
            schema: schemaOf(c.schema, 'input'),
            ...(c.partTypes ? { encoding: Object.fromEntries(Object.entries(c.partTypes).map(([part, t]) => [part, { contentType: t }])) } : {}),
          },
        ]),
      ),
    };
  }
  return op;
}

/** Without `servers`: the edge adds its public URL per request (routes/docs.ts). */
export function buildOpenApiDocument(routes: readonly RouteSpec[], info: DocumentInfo): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const path = openApiPath(route.path);
    paths[path] ??= {};
    paths[path][route.method] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info,
    paths,
    components: {
      schemas: { Problem: schemaOf(ProblemSchema, 'output') },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A tenant API key (`rsk_…`), or the admin key for /v1/admin routes and /metrics.' } },
    },
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
  };
}
