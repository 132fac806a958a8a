// A route described once: the same zod schemas validate its request (routes/validate.ts) and
// become its OpenAPI operation (document.ts).
import type { ZodObject, ZodType } from 'zod';

export type Method = 'get' | 'post' | 'put' | 'delete';
export type Access = 'public' | 'tenant' | 'admin';

export interface BodyContent {
  schema: ZodType;
  /** Multipart: content type of each non-file part (`{ annotations: 'application/json' }`). */
  partTypes?: Record<string, string>;
}

export interface ResponseSpec {
  description: string;
  /** JSON body schema; absent for 204 and non-JSON bodies. */
  schema?: ZodType;
  /** Default application/json (when a schema is given). */
  contentType?: string;
  headers?: Record<string, string>;
}

export interface RouteSpec {
  method: Method;
  /** Hono path template: `/v1/banks/:bankId`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  access: Access;
  params?: ZodObject;
  query?: ZodObject;
  /** `limit`: which size limit applies (edge/middleware/body-limit.ts); default the upload limit, or the JSON limit for JSON bodies. */
  body?: { description?: string; content: Record<string, BodyContent>; limit?: 'upload' | 'bankFile' };
  responses: Record<number, ResponseSpec>;
  /** Statuses of the problem+json answers the route documents besides the common ones. */
  problems?: number[];
}
