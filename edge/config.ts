// Configuration of the edge, read from plain string variables so every runtime feeds it the same
// way: process.env (Node), Deno.env (Deno), the Worker's `env` bindings (Workers).
import { z } from 'zod';
import { ValidationError } from '../shared/errors.ts';
import { parseAdminKey, TenantIdSchema } from './auth/index.ts';
import { parseCacheOrganisations } from './segment/cache-scope.ts';

const MiB = 1024 * 1024;

const list = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x !== ''),
  );
const int = (min: number) => z.coerce.number().int().min(min);

/** The variables the edge reads, with their defaults. */
const EnvSchema = z.object({
  REFSEG_GPU_NODES: list.pipe(z.array(z.url({ protocol: /^https?$/ })).min(1, 'name at least one gpu-node URL')),
  REFSEG_GPU_SECRET: z.string().min(1, 'the shared secret of the gpu-nodes is required'),
  REFSEG_ADMIN_KEY: z.string().optional(),
  REFSEG_GPU_STRATEGY: z.enum(['least-busy', 'round-robin']).default('least-busy'),
  REFSEG_GPU_TIMEOUT_MS: int(1).default(60_000),
  REFSEG_GPU_HEALTH_INTERVAL_MS: int(100).default(10_000),
  REFSEG_GPU_HEALTH_TIMEOUT_MS: int(1).default(2_000),
  REFSEG_MAX_BODY_BYTES: int(1).default(20 * MiB),
  REFSEG_MAX_JSON_BYTES: int(1).default(1 * MiB),
  REFSEG_MAX_BANK_FILE_BYTES: int(1).default(16 * MiB),
  REFSEG_MAX_PIXELS: int(1).default(40_000_000),
  REFSEG_CACHE_TTL_SECONDS: int(1).default(7 * 24 * 3600),
  REFSEG_CACHE_ORGANISATIONS: z
    .string()
    .default('')
    .transform((text, ctx) => {
      try {
        return parseCacheOrganisations(text, (id) => TenantIdSchema.safeParse(id).success);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
  REFSEG_IMAGE_TTL_SECONDS: int(1).default(24 * 3600),
  REFSEG_KEY_REQUESTS_PER_MINUTE: int(1).default(600),
  REFSEG_KEY_BURST: int(1).default(100),
  REFSEG_KEY_CONCURRENT: int(1).default(64),
  REFSEG_CORS_ORIGINS: list.default([]),
  REFSEG_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  REFSEG_LOG: z.enum(['json', 'off']).default('json'),
  REFSEG_DEVICE_MODELS_URL: z.url({ protocol: /^https?$/ }).optional(),
  REFSEG_DEVICE_WASM_URL: z.url({ protocol: /^https?$/ }).optional(),
});

export interface EdgeConfig {
  gpu: {
    urls: string[];
    secret: string;
    strategy: 'least-busy' | 'round-robin';
    /** Per gpu-node call; a slower node is abandoned (and the call retried elsewhere when safe). */
    timeoutMs: number;
    healthIntervalMs: number;
    healthTimeoutMs: number;
  };
  /** Undefined: admin routes answer 401 to everyone. */
  adminKey: string | undefined;
  /** Request bodies above this are refused with 413 before they are read (image uploads). */
  maxBodyBytes: number;
  /** JSON request bodies (bank creation, classes, keys, segment by imageId): 413 above this. */
  maxJsonBytes: number;
  /** Bank files sent to POST /v1/banks/import: 413 above this. */
  maxBankFileBytes: number;
  /** Images above this many pixels (from their header) are refused with 422. */
  maxPixels: number;
  /** How long a cached candidate set is kept. */
  cacheTtlSeconds: number;
  /**
   * Tenant → organisation whose candidate cache it shares (edge/segment/cache-scope.ts). Tenants
   * not listed have a cache of their own (the default: no tenant learns what another sent).
   */
  cacheOrganisations: ReadonlyMap<string, string>;
  /** How long an image sent to POST /v1/images can be referred to by its imageId. */
  imageTtlSeconds: number;
  /** Fair-use limits of a tenant key that sets none of its own (edge/middleware/quota.ts). */
  keyLimits: { requestsPerMinute: number; burst: number; concurrent: number };
  /** Origins allowed by CORS; empty: no CORS headers; `*`: any origin. */
  corsOrigins: string[];
  /** The edge's URL as clients see it (OpenAPI `servers`); default: the origin of each request. */
  publicUrl: string | undefined;
  log: 'json' | 'off';
  /**
   * Where the browser's on-device engine fetches its models and onnxruntime-web's WASM
   * (docs/on-device.md); undefined: from this edge (/device/models/, /device/ort/), where it can.
   */
  device: { modelsUrl: string | undefined; wasmUrl: string | undefined };
}

export type EnvVars = Readonly<Record<string, string | undefined>>;

const folderUrl = (url: string | undefined) => (url === undefined || url.endsWith('/') ? url : `${url}/`);

/** Throws ValidationError naming the variable when one is missing or malformed. */
export function configFromEnv(env: EnvVars): EdgeConfig {
  // Empty strings mean "unset" (a blank line in an .env file, an empty Worker var).
  const present = Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('REFSEG_') && v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error);
  const e = parsed.data;
  return {
    gpu: {
      urls: e.REFSEG_GPU_NODES.map((u) => u.replace(/\/+$/, '')),
      secret: e.REFSEG_GPU_SECRET,
      strategy: e.REFSEG_GPU_STRATEGY,
      timeoutMs: e.REFSEG_GPU_TIMEOUT_MS,
      healthIntervalMs: e.REFSEG_GPU_HEALTH_INTERVAL_MS,
      healthTimeoutMs: e.REFSEG_GPU_HEALTH_TIMEOUT_MS,
    },
    adminKey: parseAdminKey(e.REFSEG_ADMIN_KEY),
    maxBodyBytes: e.REFSEG_MAX_BODY_BYTES,
    maxJsonBytes: e.REFSEG_MAX_JSON_BYTES,
    maxBankFileBytes: e.REFSEG_MAX_BANK_FILE_BYTES,
    maxPixels: e.REFSEG_MAX_PIXELS,
    cacheTtlSeconds: e.REFSEG_CACHE_TTL_SECONDS,
    cacheOrganisations: e.REFSEG_CACHE_ORGANISATIONS,
    imageTtlSeconds: e.REFSEG_IMAGE_TTL_SECONDS,
    keyLimits: { requestsPerMinute: e.REFSEG_KEY_REQUESTS_PER_MINUTE, burst: e.REFSEG_KEY_BURST, concurrent: e.REFSEG_KEY_CONCURRENT },
    corsOrigins: e.REFSEG_CORS_ORIGINS,
    publicUrl: e.REFSEG_PUBLIC_URL?.replace(/\/+$/, ''),
    log: e.REFSEG_LOG,
    device: { modelsUrl: folderUrl(e.REFSEG_DEVICE_MODELS_URL), wasmUrl: folderUrl(e.REFSEG_DEVICE_WASM_URL) },
  };
}
