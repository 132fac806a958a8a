// API keys bound to tenants, over the storage contract. Three records per key, written and
// deleted in one commit:
//   auth/hash/<sha256>           → the key's public info (the lookup on every request: one get)
//   auth/id/<keyId>              → hash and tenant (revoke by id)
//   auth/tenant/<tenant>/<keyId> → hash (list a tenant's keys)
// The secret itself is never stored and is returned only by `create`.
import { z } from 'zod';
import { InternalError, ValidationError } from '../../shared/errors.ts';
import type { KvStore } from '../storage/contract.ts';
import { decodeJson, encodeJson } from '../storage/json.ts';
import { apiKeyHint, generateApiKeyId, generateApiKeySecret, hashApiKey, isApiKeyFormat } from './api-key.ts';
import { TenantIdSchema } from './tenant.ts';

const KeyIdSchema = z.string().regex(/^key_[0-9a-f]{16}$/);

/** Fair-use limits of one key (edge/middleware/quota.ts); a missing member takes the edge's default. */
export const KeyLimitsSchema = z
  .strictObject({
    requestsPerMinute: z.number().int().min(1).max(1_000_000).optional().describe('Sustained request rate (token bucket refill).'),
    burst: z.number().int().min(1).max(100_000).optional().describe('Requests that may arrive at once (token bucket size).'),
    concurrent: z.number().int().min(1).max(10_000).optional().describe('Requests of this key in progress at once.'),
  })
  .describe('Per-key fair-use limits; 429 with Retry-After above them. Omitted members: the edge defaults (REFSEG_KEY_*).');
export type KeyLimits = z.infer<typeof KeyLimitsSchema>;
const HashSchema = z.string().regex(/^[0-9a-f]{64}$/);

export const ApiKeyInfoSchema = z
  .strictObject({
    id: KeyIdSchema.describe('Public id of the key (for listing and revoking).'),
    tenant: TenantIdSchema,
    label: z.string().max(200).optional().describe('Free text chosen at creation.'),
    hint: z.string().describe('First and last characters of the secret, to tell keys apart.'),
    createdAt: z.iso.datetime(),
    limits: KeyLimitsSchema.optional(),
  })
  .describe('An API key without its secret.');
export type ApiKeyInfo = z.infer<typeof ApiKeyInfoSchema>;

const IdRecordSchema = z.strictObject({ hash: HashSchema, tenant: TenantIdSchema });
const TenantRecordSchema = z.strictObject({ hash: HashSchema });

export const CreateApiKeySchema = z.strictObject({
  tenant: TenantIdSchema,
  label: z.string().max(200).optional(),
  limits: KeyLimitsSchema.optional(),
});
export type CreateApiKeyInput = z.input<typeof CreateApiKeySchema>;

export interface CreatedApiKey {
  info: ApiKeyInfo;
  /** Shown once; only its hash is kept. */
  secret: string;
}

export interface ApiKeyStore {
  create(input: CreateApiKeyInput): Promise<CreatedApiKey>;
  /** The key's info if `secret` is a live key, else null. */
  lookup(secret: string): Promise<ApiKeyInfo | null>;
  /** Keys of one tenant, oldest first. */
  list(tenant: string): Promise<ApiKeyInfo[]>;
  /**
   * Deletes the key; false if there is none with that id. With `tenant`, a key of another tenant
   * counts as absent (a tenant revoking its own keys).
   */
  revoke(keyId: string, options?: { tenant?: string }): Promise<boolean>;
  /** Replaces the key's limits (`{}`: the defaults); null if there is no key with that id. */
  setLimits(keyId: string, limits: KeyLimits): Promise<ApiKeyInfo | null>;
}

export interface ApiKeyStoreOptions {
  now?: () => Date;
}

const hashKey = (hash: string) => `auth/hash/${hash}`;
const idKey = (id: string) => `auth/id/${id}`;
const tenantPrefix = (tenant: string) => `auth/tenant/${tenant}/`;

export function createApiKeyStore(kv: KvStore, options: ApiKeyStoreOptions = {}): ApiKeyStore {
  const now = options.now ?? (() => new Date());

  return {
    async create(input) {
      const parsed = CreateApiKeySchema.safeParse(input);
      if (!parsed.success) throw ValidationError.fromZod(parsed.error);
      const { tenant, label, limits } = parsed.data;
      const secret = generateApiKeySecret();
      const hash = await hashApiKey(secret);
      const info: ApiKeyInfo = {
        id: generateApiKeyId(),
        tenant,
        ...(label === undefined ? {} : { label }),
        hint: apiKeyHint(secret),
        createdAt: now().toISOString(),
        ...(limits === undefined || Object.keys(limits).length === 0 ? {} : { limits }),
      };
      const written = await kv.commit(
        // 64 random bits of id and 256 of secret: a collision means a broken random source.
        [
          { key: hashKey(hash), version: null },
          { key: idKey(info.id), version: null },
        ],
        [
          { type: 'set', key: hashKey(hash), value: encodeJson(info) },
          { type: 'set', key: idKey(info.id), value: encodeJson({ hash, tenant }) },
          { type: 'set', key: tenantPrefix(tenant) + info.id, value: encodeJson({ hash }) },
        ],
      );
      if (written === null) throw new InternalError('API key id or hash collision: the random source is broken.');
      return { info, secret };
    },

    async lookup(secret) {
      if (!isApiKeyFormat(secret)) return null;
      const entry = await kv.get(hashKey(await hashApiKey(secret)));
      return entry === null ? null : decodeJson(entry.value, ApiKeyInfoSchema, 'API key');
    },

    async list(tenant) {
      if (!TenantIdSchema.safeParse(tenant).success) return [];
      const index = await kv.list(tenantPrefix(tenant));
      const hashes = index.map((e) => decodeJson(e.value, TenantRecordSchema, 'API key index').hash);
      const infos = await kv.getMany(hashes.map(hashKey));
      return infos
        .filter((e) => e !== null)
        .map((e) => decodeJson(e.value, ApiKeyInfoSchema, 'API key'))
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
    },

    async setLimits(keyId, limits) {
      if (!KeyIdSchema.safeParse(keyId).success) return null;
      const checked = KeyLimitsSchema.safeParse(limits);
      if (!checked.success) throw ValidationError.fromZod(checked.error, 'limits');
      for (;;) {
        const id = await kv.get(idKey(keyId));
        if (id === null) return null;
        const { hash } = decodeJson(id.value, IdRecordSchema, 'API key id');
        const entry = await kv.get(hashKey(hash));
        if (entry === null) return null;
        const { limits: _old, ...rest } = decodeJson(entry.value, ApiKeyInfoSchema, 'API key');
        const info: ApiKeyInfo = Object.keys(checked.data).length === 0 ? rest : { ...rest, limits: checked.data };
        const done = await kv.commit(
          [
            { key: idKey(keyId), version: id.version },
            { key: hashKey(hash), version: entry.version },
          ],
          [{ type: 'set', key: hashKey(hash), value: encodeJson(info) }],
        );
        if (done !== null) return info;
      }
    },
    async revoke(keyId, revokeOptions = {}) {
      if (!KeyIdSchema.safeParse(keyId).success) return false;
      for (;;) {
        const entry = await kv.get(idKey(keyId));
        if (entry === null) return false;
        const { hash, tenant } = decodeJson(entry.value, IdRecordSchema, 'API key id');
        if (revokeOptions.tenant !== undefined && revokeOptions.tenant !== tenant) return false;
        const done = await kv.commit(
          [{ key: idKey(keyId), version: entry.version }],
          [
            { type: 'delete', key: hashKey(hash) },
            { type: 'delete', key: idKey(keyId) },
            { type: 'delete', key: tenantPrefix(tenant) + keyId },
          ],
        );
        if (done !== null) return true;
      }
    },
  };
}
