// Smoke run of the gpu-node pipeline on onnxruntime-web (WASM) under Deno, where onnxruntime-node
// cannot be loaded: stand-in models, one synthetic image, a tiny grid. Prints one JSON line with
// the SHA-256 of the binary candidate set, which deno-smoke.test.ts compares with Node's.
//   node_modules/.bin/deno run --allow-read --allow-write --allow-env --allow-sys --allow-ffi test/on-device/deno-smoke.ts
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPipeline } from '../../gpu-node/pipeline/index.ts';
import { generateStandins } from '../../gpu-node/standin/generate.ts';
import { sha256Hex } from '../../shared/encoding/sha256.ts';
import { encodeCandidateSet } from '../../shared/wire/index.ts';
import { SMOKE_GRID, scenePng } from './scene.ts';

const dir = await mkdtemp(join(tmpdir(), 'refseg-deno-smoke-'));
try {
  const paths = await generateStandins(dir);
  const t0 = performance.now();
  const pipeline = await openPipeline({ sam2Dir: paths.sam2B.dir, dinoPath: paths.dinoRegisters, backend: 'web', threads: { intraOp: 1 } });
  try {
    const { set } = await pipeline.candidates(await scenePng(), { proposals: { preset: 'official', pointsPerSide: SMOKE_GRID } });
    const setSha256 = await sha256Hex(encodeCandidateSet(set));
    console.log(JSON.stringify({ backend: pipeline.info.backend, provider: pipeline.info.provider, candidates: set.candidates.length, dim: set.dim, pipelineId: set.pipelineId, setSha256, ms: Math.round(performance.now() - t0) }));
  } finally {
    await pipeline.close();
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
