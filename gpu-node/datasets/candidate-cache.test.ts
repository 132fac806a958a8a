import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeMask } from '../../shared/coco-mask/index.ts';
import type { CandidateSet } from '../../shared/types.ts';
import { CandidateCache } from './candidate-cache.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'refseg-cache-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const set: CandidateSet = {
  imageSha256: 'ab'.repeat(32),
  width: 3,
  height: 2,
  modelId: 'sam2:x+dinov2:y',
  pipelineId: 'official/v1;grid=32',
  dim: 2,
  candidates: [{ iou: Math.fround(0.93), box256: [1, 2, 3, 4], embedding: Float32Array.from([0.6, 0.8]), mask: encodeMask(Uint8Array.from([1, 0, 0, 1, 1, 0]), 2, 3) }],
};

describe('CandidateCache', () => {
  it('returns what was put, for the same image, models and pipeline only', async () => {
    const cache = new CandidateCache(dir);
    expect(await cache.get(set.imageSha256, set.modelId, set.pipelineId)).toBeUndefined();
    await cache.put(set);
    expect(await cache.get(set.imageSha256, set.modelId, set.pipelineId)).toEqual(set);
    expect(await cache.get(set.imageSha256, set.modelId, 'official/v1;grid=16')).toBeUndefined();
    expect(await cache.get('cd'.repeat(32), set.modelId, set.pipelineId)).toBeUndefined();
  });

  it('treats a damaged file as a miss', async () => {
    const cache = new CandidateCache(dir);
    await cache.put(set);
    const sub = join(dir, 'ab');
    const [name] = (await readdir(sub)).filter((n) => n.endsWith('.rcs'));
    await writeFile(join(sub, name), 'not a candidate set');
    expect(await cache.get(set.imageSha256, set.modelId, set.pipelineId)).toBeUndefined();
  });
});
