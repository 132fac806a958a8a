// The model stages on onnxruntime-web (WASM, in Node) against onnxruntime-node, measured in the
// same run on the same weightless real SAM2.1 hiera-tiny graphs (refilled: test/fixtures/models/)
// and a random-weight ViT-S/14 at 518² (DINOv2-small's arithmetic): what leaving the native
// runtime costs. Both runtimes get the same thread count. Chromium figures are not measured here
// (docs/on-device.md). Takes a few minutes.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openModels, type Runtime } from '../../gpu-node/models/index.ts';
import { DINO_SIZE, targetInputs } from '../../gpu-node/preprocess/index.ts';
import { targetScene } from '../../gpu-node/standin/samples.ts';
import { filledModelDir } from '../real-graph/fill.ts';
import { runIfMain } from './harness.ts';
import type { Bench, BenchRow } from './harness.ts';
import { VIT_S14, vitS14 } from './vit-s14.ts';

const THREADS = Number(process.env.REFSEG_BENCH_THREADS ?? 2);
const PROMPTS = 64;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timed(runs: number, fn: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return times;
}

const bench: Bench = {
  name: 'on-device',
  async run() {
    const dir = await mkdtemp(join(tmpdir(), 'refseg-bench-on-device-'));
    const rows: BenchRow[] = [];
    const medians = new Map<string, number>();
    const row = (backend: Runtime, what: string, times: number[], note?: string) => {
      medians.set(`${backend}:${what}`, median(times));
      const ratio = backend === 'web' ? medians.get(`node:${what}`) : undefined;
      const vs = ratio === undefined ? '' : `${(median(times) / ratio).toFixed(2)}× node`;
      rows.push({ bench: 'on-device', what: `${backend}: ${what}`, medianMs: median(times), minMs: Math.min(...times), cpuMs: Number.NaN, runs: times.length, note: [vs, note].filter(Boolean).join(', ') });
    };
    try {
      const sam2Dir = filledModelDir(join(dir, 'sam2'));
      const dinoPath = join(dir, 'vits14.onnx');
      await writeFile(dinoPath, vitS14().model);
      const inputs = targetInputs(targetScene());
      const lin = Array.from({ length: 8 }, (_, i) => (1023 * i) / 7 + 0.5);
      const points = lin.flatMap((x) => lin.flatMap((y) => [x, y]));
      for (const backend of ['node', 'web'] as const) {
        const t0 = performance.now();
        const models = await openModels({ sam2Dir, dinoPath, backend, threads: { intraOp: THREADS }, maxPromptBatch: PROMPTS });
        row(backend, 'open (patch + load SAM2 and DINOv2)', [performance.now() - t0]);
        try {
          // First runs pay the sessions' warm-up; not counted.
          const emb = await models.sam2.encode(inputs.sam);
          await models.dino.patchFeatures(inputs.dino);
          await models.sam2.decodePoints(emb, points);
          row(backend, 'SAM2.1-tiny encoder (real graph), 1024²', await timed(2, () => models.sam2.encode(inputs.sam)), `${THREADS} threads`);
          row(backend, `DINOv2 ViT-S/14 random weights, ${DINO_SIZE}² (D = ${VIT_S14.dim})`, await timed(2, () => models.dino.patchFeatures(inputs.dino)));
          row(backend, `SAM2.1-tiny decoder, ${PROMPTS} prompts`, await timed(3, () => models.sam2.decodePoints(emb, points)), `load average ${loadavg()[0].toFixed(1)}`);
        } finally {
          await models.close();
        }
      }
      return rows;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};

export default bench;
await runIfMain(import.meta.url, bench);
