// An edge whose candidate cache already holds one image's set, and a tenant with a bank of C
// classes: what a segment request on a cache hit touches, and nothing else. The gpu-node is a
// stub that only answers /v1/info (a hit never calls it).
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import type { GpuNodeInfo } from '../../shared/api/gpu-node.ts';
import { encodeMask } from '../../shared/coco-mask/index.ts';
import { sha256Hex } from '../../shared/encoding/index.ts';
import { extractCandidates } from '../../shared/matching/index.ts';
import { encodeCandidateSet } from '../../shared/wire/index.ts';
import { createApiKeyStore } from '../../edge/auth/index.ts';
import { createBankService } from '../../edge/banks/index.ts';
import { cacheScope } from '../../edge/segment/cache-scope.ts';
import { candidateKey } from '../../edge/segment/candidate-cache.ts';
import { createMemoryStorage } from '../../edge/storage/memory.ts';
import type { Storage } from '../../edge/storage/contract.ts';
import { syntheticScene } from './synthetic.ts';

export const BENCH_SECRET = 'bench-gpu-secret';
const MODEL = 'bench-model';
const PIPELINE = 'official/bench';

export interface EdgeWorld {
  storage: Storage;
  tenantKey: string;
  bankId: string;
  /** The image whose candidate set is cached. */
  image: Uint8Array;
  candidates: number;
  /** A stub gpu-node answering GET /v1/info only. */
  gpuUrl: string;
  close(): Promise<void>;
}

function info(dim: number): GpuNodeInfo {
  return {
    modelId: MODEL,
    dim,
    registers: 0,
    presets: ['official'],
    defaultPreset: 'official',
    pipelineIds: { official: PIPELINE, 'sam2-amg': 'sam2-amg/bench' },
    layout: 'onnx-community',
    noMemEmbed: 'removed',
    provider: 'cpu',
    standin: false,
    workers: 1,
    limits: { maxBodyBytes: 1 << 25, maxPixels: 40_000_000, maxConcurrent: 1, maxQueued: 8 },
  };
}

/** `candidates` exactly (a few proposals more are drawn: an empty 256-grid mask yields none). */
export async function edgeWorld(o: { candidates: number; dim: number; classes: number; seed: number }): Promise<EdgeWorld> {
  const width = 640;
  const height = 480;
  const scene = syntheticScene({ proposals: Math.ceil(o.candidates * 1.05) + 8, dim: o.dim, classes: o.classes, seed: o.seed, height, width });
  const image = new Uint8Array(await sharp(Buffer.alloc(width * height * 3, o.seed), { raw: { width, height, channels: 3 } }).png().toBuffer());
  const imageSha256 = await sha256Hex(image);
  const extracted = extractCandidates(scene, { imageSha256, modelId: MODEL, pipelineId: PIPELINE });
  if (extracted.candidates.length < o.candidates) throw new Error(`only ${extracted.candidates.length} candidates drawn`);
  const set = { ...extracted, candidates: extracted.candidates.slice(0, o.candidates) };

  const storage = createMemoryStorage();
  await storage.blobs.put(candidateKey({ scope: cacheScope('bench', new Map()), imageSha256, modelId: MODEL, pipelineId: PIPELINE, exif: 'apply' }), encodeCandidateSet(set));
  const { secret } = await createApiKeyStore(storage.kv).create({ tenant: 'bench' });
  const banks = createBankService({ kv: storage.kv, modelId: MODEL, pipelineId: PIPELINE, dim: o.dim });
  const classes = scene.prototypes.map((_, c) => `class-${c}`);
  const bank = await banks.createBank('bench', { name: 'bench', classes });
  const someMask = encodeMask(new Uint8Array(4).fill(1), 2, 2);
  await banks.addReferences(
    'bench',
    bank.id,
    classes.map((className) => ({ className, source: { annotation: 'mask' as const } })),
    async () => ({ modelId: MODEL, references: scene.prototypes.map((p) => ({ vector: Float32Array.from(p), mask: someMask })) }),
  );

  const stub = new Hono().get('/v1/info', (c) => c.json(info(o.dim)));
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: stub.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const gpuUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    storage,
    tenantKey: secret,
    bankId: bank.id,
    image,
    candidates: set.candidates.length,
    gpuUrl,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The environment of an edge in front of the stub. */
export function worldEnv(world: EdgeWorld): Record<string, string> {
  return { REFSEG_GPU_NODES: world.gpuUrl, REFSEG_GPU_SECRET: BENCH_SECRET, REFSEG_LOG: 'off', REFSEG_MAX_BODY_BYTES: String(1 << 25) };
}
