// API keys, managed with the admin key from the environment.
import { ApiKeyInfoSchema, CreateApiKeySchema, KeyLimitsSchema } from '../auth/index.ts';
import { ApiKeyListSchema, CreatedApiKeySchema, KeyIdParamsSchema, KeyListQuerySchema } from '../api/schemas.ts';
import { NotFoundError } from '../../shared/errors.ts';
import type { EdgeServices } from '../context.ts';
import type { Router } from './router.ts';
import { jsonBody, params, query } from './validate.ts';

export function keyRoutes(router: Router, s: EdgeServices): void {
  router.add(
    {
      method: 'post',
      path: '/v1/admin/keys',
      operationId: 'createApiKey',
      summary: 'Create an API key for a tenant (the secret is shown once).',
      tag: 'Admin',
      access: 'admin',
      body: { content: { 'application/json': { schema: CreateApiKeySchema } } },
      responses: { 201: { description: 'Created.', schema: CreatedApiKeySchema } },
      problems: [413, 415, 422],
    },
    async (c) => {
      const { info, secret } = await s.keys.create(await jsonBody(c, CreateApiKeySchema));
      return c.json({ key: info, secret }, 201);
    },
  );
  router.add(
    {
      method: 'get',
      path: '/v1/admin/keys',
      operationId: 'listApiKeys',
      summary: 'List the API keys of a tenant.',
      tag: 'Admin',
      access: 'admin',
      query: KeyListQuerySchema,
      responses: { 200: { description: 'Keys, oldest first (without secrets).', schema: ApiKeyListSchema } },
    },
    async (c) => c.json({ keys: await s.keys.list(query(c, KeyListQuerySchema).tenant) }),
  );
  router.add(
    {
      method: 'delete',
      path: '/v1/admin/keys/:keyId',
      operationId: 'revokeApiKey',
      summary: 'Revoke an API key (effective at once).',
      tag: 'Admin',
      access: 'admin',
      params: KeyIdParamsSchema,
      responses: { 204: { description: 'Revoked.' } },
      problems: [404],
    },
    async (c) => {
      const { keyId } = params(c, KeyIdParamsSchema);
      if (!(await s.keys.revoke(keyId))) throw new NotFoundError('API key', keyId);
      return c.body(null, 204);
    },
  );
  router.add(
    {
      method: 'put',
      path: '/v1/admin/keys/:keyId/limits',
      operationId: 'setApiKeyLimits',
      summary: 'Set the fair-use limits of an API key (requests per minute, burst, requests in progress).',
      description: 'Replaces the key\'s limits; members left out take the edge defaults (`{}` resets them all). Effective from the key\'s next request.',
      tag: 'Admin',
      access: 'admin',
      params: KeyIdParamsSchema,
      body: { content: { 'application/json': { schema: KeyLimitsSchema } } },
      responses: { 200: { description: 'The key with its new limits.', schema: ApiKeyInfoSchema } },
      problems: [404],
    },
    async (c) => {
      const { keyId } = params(c, KeyIdParamsSchema);
      const info = await s.keys.setLimits(keyId, await jsonBody(c, KeyLimitsSchema));
      if (info === null) throw new NotFoundError('API key', keyId);
      return c.json(info);
    },
  );
}
