// gpu-node throughput on CPU with the stand-in models: wall time of every pipeline stage per
// image (decode, Pillow resize to 1024², torch resize to 518², SAM2 encoder, SAM2 decoder
// batches, DINOv2, proposal filtering, candidate extraction) and images per second for a whole
// candidate set, on the stand-in scene (512×384 PNG) and on a photo-sized JPEG of it
// (1600×1200). The stand-in models are tiny: their model rows measure the plumbing (worker
// round trips, tensor copies), not real SAM2; a random-weight ViT-S/14 at 518² gives the cost of
// a real-size DINOv2-small run. Models run with 2 intra-op threads (the CI machine's cores).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { openModels } from '../../gpu-node/models/index.ts';
import { pipelineOver } from '../../gpu-node/pipeline/index.ts';
import type { Stage } from '../../gpu-node/pipeline/index.ts';
import { DINO_SIZE, targetInputs } from '../../gpu-node/preprocess/index.ts';
import { pngOf, targetScene } from '../../gpu-node/standin/samples.ts';
import { generateStandins } from '../../gpu-node/standin/generate.ts';
import { runIfMain } from './harness.ts';
import type { Bench, BenchRow } from './harness.ts';
import { VIT_S14, vitS14 } from './vit-s14.ts';

const THREADS = 2;
const STAGES: [Stage, string][] = [
  ['decode', 'decode'],
  ['resize1024', 'resize to 1024² (Pillow bicubic)'],
  ['resize518', 'resize to 518² (torch bicubic)'],
  ['sam2-encoder', 'SAM2 encoder (stand-in)'],
  ['sam2-decoder', 'SAM2 decoder, all batches (stand-in)'],
  ['dinov2', 'DINOv2 (stand-in, D = 32)'],
  ['proposal-filter', 'best-of-3 + IoU filter'],
  ['extract', 'candidate extraction'],
];

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function imageRows(pipeline: Awaited<ReturnType<typeof pipelineOver>>, label: string, bytes: Uint8Array, runs: number): Promise<BenchRow[]> {
  const perRun: Map<Stage, number>[] = [];
  const batches: number[] = [];
  const totals: number[] = [];
  const cpu: number[] = [];
  let candidates = 0;
  for (let r = 0; r <= runs; r++) {
    const stages = new Map<Stage, number>();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const { set } = await pipeline.candidates(bytes, {
      observe: (stage, ms) => {
        stages.set(stage, (stages.get(stage) ?? 0) + ms);
        if (stage === 'sam2-decoder' && r > 0) batches.push(ms);
      },
    });
    // Run 0 warms up the sessions and the JIT.
    if (r === 0) continue;
    totals.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    perRun.push(stages);
    candidates = set.candidates.length;
  }
  // Stages overlap across the main thread and the model worker, so only whole runs get a CPU time
  // (process-wide, all threads).
  const row = (what: string, times: number[], cpuMs = Number.NaN, note?: string): BenchRow => ({
    bench: 'gpu-node',
    what: `${label}: ${what}`,
    medianMs: median(times),
    minMs: Math.min(...times),
    cpuMs,
    runs: times.length,
    ...(note ? { note } : {}),
  });
  const rows = STAGES.map(([stage, what]) => row(what, perRun.map((m) => m.get(stage) ?? 0)));
  rows.push(row('one SAM2 decoder batch of 256 prompts', batches));
  const whole = median(totals);
  rows.push(row('whole candidate set', totals, median(cpu), `${(1000 / whole).toFixed(2)} images/s, ${candidates} candidates`));
  return rows;
}

const bench: Bench = {
  name: 'gpu-node',
  async run() {
    const dir = await mkdtemp(join(tmpdir(), 'refseg-bench-'));
    try {
      const paths = await generateStandins(join(dir, 'models'));
      const models = await openModels({ sam2Dir: paths.sam2A.dir, dinoPath: paths.dino, threads: { intraOp: THREADS } });
      const rows: BenchRow[] = [];
      try {
        const pipeline = await pipelineOver(models);
        const png = await pngOf(targetScene());
        const jpeg = new Uint8Array(await sharp(png).resize(1600, 1200).jpeg({ quality: 90 }).toBuffer());
        rows.push(...(await imageRows(pipeline, '512×384 png', png, 3)));
        rows.push(...(await imageRows(pipeline, '1600×1200 jpeg', jpeg, 2)));
      } finally {
        await models.close();
      }

      // The ViT runs where the real DINOv2 would: in the model worker, through the same runner.
      const vitPath = join(dir, 'vits14.onnx');
      await writeFile(vitPath, vitS14().model);
      const vit = await openModels({ sam2Dir: paths.sam2A.dir, dinoPath: vitPath, threads: { intraOp: THREADS } });
      const times: number[] = [];
      const cpu: number[] = [];
      try {
        const input = targetInputs(targetScene()).dino;
        for (let r = 0; r <= 3; r++) {
          const c0 = process.cpuUsage();
          const t0 = performance.now();
          await vit.dino.patchFeatures(input);
          const c = process.cpuUsage(c0);
          if (r > 0) {
            times.push(performance.now() - t0);
            cpu.push((c.user + c.system) / 1000);
          }
        }
      } finally {
        await vit.close();
      }
      const m = median(times);
      rows.push({
        bench: 'gpu-node',
        what: `DINOv2 ViT-S/14 random weights, ${DINO_SIZE}² (D = ${VIT_S14.dim})`,
        medianMs: m,
        minMs: Math.min(...times),
        cpuMs: median(cpu),
        runs: times.length,
        note: `${(1000 / m).toFixed(2)} runs/s: real-size DINOv2-small cost per target or reference`,
      });
      return rows;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};

export default bench;
await runIfMain(import.meta.url, bench);
