// The pipeline on onnxruntime-web under Deno (deno-smoke.ts, run by node_modules/.bin/deno) gives
// the byte-identical candidate set Node gives on the same runtime, stand-ins and image.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { openPipeline } from '../../gpu-node/pipeline/index.ts';
import { generateStandins } from '../../gpu-node/standin/generate.ts';
import { sha256Hex } from '../../shared/encoding/sha256.ts';
import { encodeCandidateSet } from '../../shared/wire/index.ts';
import { SMOKE_GRID, scenePng } from './scene.ts';

const ROOT = join(import.meta.dirname, '..', '..');

it('Deno runs the pipeline on onnxruntime-web WASM and makes the same candidate set as Node', async () => {
  const { stdout } = await promisify(execFile)(
    join(ROOT, 'node_modules', '.bin', 'deno'),
    ['run', '--allow-read', '--allow-write', '--allow-env', '--allow-sys', '--allow-ffi', 'test/on-device/deno-smoke.ts'],
    { cwd: ROOT, timeout: 120_000 },
  );
  const deno = JSON.parse(stdout.trim().split('\n').at(-1)!);
  expect(deno).toMatchObject({ backend: 'web', provider: 'cpu', dim: 32 });
  expect(deno.candidates).toBeGreaterThan(2);

  const dir = await mkdtemp(join(tmpdir(), 'refseg-deno-parity-'));
  try {
    const paths = await generateStandins(dir);
    const pipeline = await openPipeline({ sam2Dir: paths.sam2B.dir, dinoPath: paths.dinoRegisters, backend: 'web', threads: { intraOp: 1 } });
    try {
      const { set } = await pipeline.candidates(await scenePng(), { proposals: { preset: 'official', pointsPerSide: SMOKE_GRID } });
      expect(deno.candidates).toBe(set.candidates.length);
      expect(deno.pipelineId).toBe(set.pipelineId);
      expect(deno.setSha256).toBe(await sha256Hex(encodeCandidateSet(set)));
    } finally {
      await pipeline.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, 180_000);
