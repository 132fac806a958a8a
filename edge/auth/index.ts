// Tenants and API keys of the edge (no HTTP here: the Hono app wires these into middleware).
export { adminKeyMatches, AdminKeyConfigError, MIN_ADMIN_KEY_LENGTH, parseAdminKey } from './admin.ts';
export { API_KEY_PREFIX, apiKeyHint, generateApiKeyId, generateApiKeySecret, hashApiKey, isApiKeyFormat } from './api-key.ts';
export { authenticate, bearerToken, requireAdmin, requireTenant } from './authenticate.ts';
export type { AuthConfig, Principal } from './authenticate.ts';
export { ApiKeyInfoSchema, createApiKeyStore, CreateApiKeySchema, KeyLimitsSchema } from './key-store.ts';
export type { ApiKeyInfo, ApiKeyStore, ApiKeyStoreOptions, CreateApiKeyInput, CreatedApiKey, KeyLimits } from './key-store.ts';
export { TenantIdSchema } from './tenant.ts';
