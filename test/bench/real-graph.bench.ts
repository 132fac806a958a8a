// The gpu-node's cost per stage on the real SAM2.1 hiera-tiny graphs (samexporter export, weights
// refilled with seeded values: test/fixtures/models/README.md) and a random-weight ViT-S/14 at
// 518² for DINOv2-small: the arithmetic of a real deployment on CPU, without the real weights.
// One full official candidate set (32×32 = 1024 prompts in batches of 256) of a 640×480 JPEG
// gives the decoder and host-stage figures; the encoder and DINOv2 are also timed alone, because
// inside a candidate set the DINOv2 request waits behind the encoder in the one model worker.
// Models run with 2 intra-op threads (the machine's cores). Takes about two minutes.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { openModels } from '../../gpu-node/models/index.ts';
import type { Models } from '../../gpu-node/models/index.ts';
import { pipelineOver } from '../../gpu-node/pipeline/index.ts';
import type { Stage } from '../../gpu-node/pipeline/index.ts';
import { DINO_SIZE, targetInputs } from '../../gpu-node/preprocess/index.ts';
import { targetScene } from '../../gpu-node/standin/samples.ts';
import { filledModelDir } from '../real-graph/fill.ts';
import { runIfMain } from './harness.ts';
import type { Bench, BenchRow } from './harness.ts';
import { VIT_S14, vitS14 } from './vit-s14.ts';

const THREADS = 2;
const PROMPTS = 32 * 32;
const HOST_STAGES: [Stage, string][] = [
  ['decode', 'JPEG decode'],
  ['sha256', 'SHA-256 of the bytes'],
  ['resize1024', 'resize to 1024² (Pillow bicubic)'],
  ['resize518', 'resize to 518² (torch bicubic)'],
  ['proposal-filter', 'best-of-3 + IoU filter, all batches'],
  ['extract', 'candidate extraction'],
];

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function row(what: string, times: number[], cpuMs = Number.NaN, note?: string): BenchRow {
  return { bench: 'real-graph', what, medianMs: median(times), minMs: Math.min(...times), cpuMs, runs: times.length, ...(note ? { note } : {}) };
}

async function timedRuns(runs: number, fn: () => Promise<unknown>): Promise<{ times: number[]; cpu: number[] }> {
  const times: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < runs; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { times, cpu };
}

const bench: Bench = {
  name: 'real-graph',
  async run() {
    const dir = await mkdtemp(join(tmpdir(), 'refseg-bench-real-'));
    try {
      const sam2Dir = filledModelDir(join(dir, 'sam2'));
      const dinoPath = join(dir, 'vits14.onnx');
      await writeFile(dinoPath, vitS14().model);
      const models = await openModels({ sam2Dir, dinoPath, threads: { intraOp: THREADS } });
      const rows: BenchRow[] = [];
      try {
        const scene = targetScene();
        const inputs = targetInputs(scene);
        // The first run of each session pays its warm-up; it is not counted.
        await models.sam2.encode(inputs.sam);
        await models.dino.patchFeatures(inputs.dino);
        const encoder = await timedRuns(2, () => models.sam2.encode(inputs.sam));
        rows.push(row('SAM2.1-tiny encoder (real graph), 1024²', encoder.times, median(encoder.cpu), 'model worker, 2 threads'));
        const dino = await timedRuns(3, () => models.dino.patchFeatures(inputs.dino));
        rows.push(row(`DINOv2 ViT-S/14 random weights, ${DINO_SIZE}² (D = ${VIT_S14.dim})`, dino.times, median(dino.cpu), 'real-size DINOv2-small'));

        // Decoder calls are wrapped to get their CPU time too (the main thread waits meanwhile,
        // so the process's CPU time is the worker's): on a shared machine wall time overstates.
        const decoderCpu: number[] = [];
        const sam2: Models['sam2'] = {
          ...models.sam2,
          decodePoints: async (emb, points, labels) => {
            const c0 = process.cpuUsage();
            const out = await models.sam2.decodePoints(emb, points, labels);
            const c = process.cpuUsage(c0);
            decoderCpu.push((c.user + c.system) / 1000 / out.count);
            return out;
          },
        };
        const pipeline = await pipelineOver({ ...models, sam2 });
        const jpeg = new Uint8Array(await sharp(Buffer.from(scene.data), { raw: { width: scene.width, height: scene.height, channels: 3 } })
          .resize(640, 480)
          .jpeg({ quality: 90 })
          .toBuffer());
        const stages = new Map<Stage, number[]>();
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        const { set } = await pipeline.candidates(jpeg, {
          observe: (stage, ms) => stages.set(stage, [...(stages.get(stage) ?? []), ms]),
        });
        const whole = performance.now() - t0;
        const c = process.cpuUsage(c0);
        const batches = stages.get('sam2-decoder') ?? [];
        const decoderMs = batches.reduce((a, b) => a + b, 0);
        rows.push(
          row(`SAM2.1-tiny decoder, per prompt (${batches.length} batches of ${PROMPTS / batches.length})`, batches.map((b) => (b * batches.length) / PROMPTS), median(decoderCpu)),
        );
        rows.push(row(`SAM2.1-tiny decoder, per image (${PROMPTS} prompts)`, [decoderMs], Number.NaN, `${((100 * decoderMs) / whole).toFixed(0)} % of the image's time`));
        for (const [stage, what] of HOST_STAGES) {
          const times = stages.get(stage) ?? [];
          rows.push(row(`host: ${what}`, [times.reduce((a, b) => a + b, 0)]));
        }
        rows.push(
          row('whole candidate set, 640×480 JPEG, official preset', [whole], (c.user + c.system) / 1000, `${(1000 / whole).toFixed(4)} images/s, ${set.candidates.length} candidates, load average ${loadavg()[0].toFixed(1)}`),
        );
      } finally {
        await models.close();
      }
      return rows;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};

export default bench;
await runIfMain(import.meta.url, bench);
