// Images per second of the gpu-node pipeline run one image at a time against pipelined
// (gpu-node/pipeline/scheduler.ts: image i+1 in the encoder and DINOv2 while image i is in the
// decoder and image i−1 is extracted), for several thread settings: model workers (each with its
// own sessions) × intra-op threads per session. Models: the real SAM2.1 hiera-tiny graphs
// (samexporter, weights refilled: test/real-graph/fill.ts) and a random-weight ViT-S/14 at 518²
// for DINOv2-small, so the arithmetic is a real deployment's.
//
// The official grid (1024 prompts, 75–100 s of decoder per image on this CPU) is reduced to
// REFSEG_BENCH_POINTS² prompts (default 5² = 25) so that the decoder's share is close to the
// encoder's, which is where a GPU with the full grid ends up too; REFSEG_BENCH_IMAGES (default 4)
// images per pass, REFSEG_BENCH_ROUNDS (default 1) alternating passes of each mode.
// `npm run bench -- pipeline --provider cuda` asks for CUDA (falls back to CPU with one notice).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { openPipeline } from '../../gpu-node/pipeline/index.ts';
import type { GpuPipeline, Lane } from '../../gpu-node/pipeline/index.ts';
import { pngOf, targetScene } from '../../gpu-node/standin/samples.ts';
import { filledModelDir } from '../real-graph/fill.ts';
import { benchProvider, runIfMain } from './harness.ts';
import type { Bench, BenchRow } from './harness.ts';
import { vitS14 } from './vit-s14.ts';

const envInt = (name: string, fallback: number): number => {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : fallback;
};
const POINTS = envInt('REFSEG_BENCH_POINTS', 5);
const IMAGES = envInt('REFSEG_BENCH_IMAGES', 4);
const ROUNDS = envInt('REFSEG_BENCH_ROUNDS', 1);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Distinct 640×480 JPEGs: the stand-in scene mirrored, flipped and hue-shifted. */
async function jpegs(n: number): Promise<Uint8Array[]> {
  const png = Buffer.from(await pngOf(targetScene()));
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      let img = sharp(png).resize(640, 480);
      if (i % 2 === 1) img = img.flop();
      if (i % 4 >= 2) img = img.flip();
      return new Uint8Array(await img.modulate({ hue: 37 * Math.floor(i / 4) }).jpeg({ quality: 90 }).toBuffer());
    }),
  );
}

/** Share of the decoder lane's busy time during which the encode lane was busy too. */
class LaneClock {
  private readonly count = new Map<Lane, number>();
  decoderMs = 0;
  overlapMs = 0;
  private last = performance.now();

  event(lane: Lane, event: 'start' | 'end'): void {
    const now = performance.now();
    const busy = (l: Lane) => (this.count.get(l) ?? 0) > 0;
    if (busy('decode')) this.decoderMs += now - this.last;
    if (busy('decode') && busy('encode')) this.overlapMs += now - this.last;
    this.last = now;
    this.count.set(lane, (this.count.get(lane) ?? 0) + (event === 'start' ? 1 : -1));
  }

  reset(): void {
    this.decoderMs = 0;
    this.overlapMs = 0;
    this.last = performance.now();
  }
}

interface Pass {
  ms: number;
  cpuMs: number;
}

async function pass(run: () => Promise<unknown>): Promise<Pass> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await run();
  const c = process.cpuUsage(c0);
  return { ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 };
}

export interface PipelineFigures {
  /** Images per pass. */
  images: number;
  workers: number;
  intraOp: number;
  sequential: Pass[];
  pipelined: Pass[];
  overlap: number;
}

/** One-at-a-time and pipelined passes over the same images with one thread setting. */
async function measure(paths: { sam2Dir: string; dinoPath: string }, images: Uint8Array[], workers: number, intraOp: number, log: (line: string) => void) {
  const clock = new LaneClock();
  const pipeline: GpuPipeline = await openPipeline({
    ...paths,
    workers,
    threads: { intraOp },
    provider: benchProvider(),
    log,
    onLane: (lane, _image, event) => clock.event(lane, event),
  });
  const proposals = { preset: 'official', pointsPerSide: POINTS } as const;
  try {
    // Every worker's sessions pay their first-run cost before anything is timed.
    await Promise.all(images.slice(0, Math.max(2, workers)).map((b) => pipeline.candidates(b, { proposals })));
    const figures: PipelineFigures = { images: images.length, workers, intraOp, sequential: [], pipelined: [], overlap: 0 };
    for (let r = 0; r < ROUNDS; r++) {
      figures.sequential.push(
        await pass(async () => {
          for (const bytes of images) await pipeline.candidates(bytes, { proposals });
        }),
      );
      clock.reset();
      figures.pipelined.push(await pass(() => Promise.all(images.map((bytes) => pipeline.candidates(bytes, { proposals })))));
      figures.overlap = clock.decoderMs > 0 ? clock.overlapMs / clock.decoderMs : 0;
    }
    return { figures, provider: pipeline.info.provider };
  } finally {
    await pipeline.close();
  }
}

const perSecond = (p: Pass[], images: number) => (1000 * images) / median(p.map((x) => x.ms));

/** The thread settings compared: all cores in one worker (the old default), the plan, oversubscribed. */
export function settingsFor(cores: number): [number, number][] {
  const half = Math.max(1, Math.floor(cores / 2));
  const out: [number, number][] = [
    [1, cores],
    [2, half],
    [2, cores],
  ];
  return out.filter(([w, t], i) => out.findIndex(([w2, t2]) => w2 === w && t2 === t) === i);
}

export function formatPipelineTable(all: PipelineFigures[]): string {
  const lines = [
    '| workers × intra-op threads | one at a time, images/s | pipelined, images/s | pipelined ÷ one at a time | decode lane busy with the encode lane busy too | CPU per image, one at a time / pipelined |',
    '|---|---|---|---|---|---|',
  ];
  for (const f of all) {
    const seq = perSecond(f.sequential, f.images);
    const pipe = perSecond(f.pipelined, f.images);
    const cpu = (p: Pass[]) => `${(median(p.map((x) => x.cpuMs)) / f.images / 1000).toFixed(1)} s`;
    lines.push(
      `| ${f.workers} × ${f.intraOp} | ${seq.toFixed(3)} | ${pipe.toFixed(3)} | ${(pipe / seq).toFixed(2)}× | ${(100 * f.overlap).toFixed(0)} % | ${cpu(f.sequential)} / ${cpu(f.pipelined)} |`,
    );
  }
  return lines.join('\n');
}

const bench: Bench = {
  name: 'pipeline',
  async run() {
    const dir = await mkdtemp(join(tmpdir(), 'refseg-bench-pipeline-'));
    let noticed = false;
    const log = (line: string) => {
      if (!noticed) console.warn(line);
      noticed = true;
    };
    try {
      const paths = { sam2Dir: filledModelDir(join(dir, 'sam2')), dinoPath: join(dir, 'vits14.onnx') };
      await writeFile(paths.dinoPath, vitS14().model);
      const images = await jpegs(IMAGES);
      const cores = availableParallelism();
      const all: PipelineFigures[] = [];
      let provider = 'cpu';
      for (const [workers, intraOp] of settingsFor(cores)) {
        const m = await measure(paths, images, workers, intraOp, log);
        all.push(m.figures);
        provider = m.provider;
      }
      const rows: BenchRow[] = [];
      const baseline = perSecond(all[0].sequential, IMAGES);
      for (const f of all) {
        const setting = `${f.workers} worker${f.workers > 1 ? 's' : ''} × ${f.intraOp} thread${f.intraOp > 1 ? 's' : ''}`;
        for (const [mode, passes] of [
          ['one at a time', f.sequential],
          ['pipelined', f.pipelined],
        ] as const) {
          const perImage = passes.map((p) => p.ms / IMAGES);
          rows.push({
            bench: 'pipeline',
            what: `${setting}, ${mode}, ms per image`,
            medianMs: median(perImage),
            minMs: Math.min(...perImage),
            cpuMs: median(passes.map((p) => p.cpuMs / IMAGES)),
            runs: passes.length,
            note: `${perSecond(passes, IMAGES).toFixed(3)} images/s${mode === 'pipelined' ? `, decode lane overlapped by encode lane ${(100 * f.overlap).toFixed(0)} %` : ''}`,
          });
        }
        const speedUp = perSecond(f.pipelined, IMAGES) / perSecond(f.sequential, IMAGES);
        rows.push({
          bench: 'pipeline',
          what: `${setting}: pipelined ÷ one at a time (images/s)`,
          medianMs: speedUp,
          minMs: Math.min(...f.sequential.map((s) => s.ms)) / Math.min(...f.pipelined.map((p) => p.ms)),
          cpuMs: Number.NaN,
          runs: f.pipelined.length,
          note: `${(perSecond(f.pipelined, IMAGES) / baseline).toFixed(2)}× the first setting one at a time`,
          ratio: { atLeast: true },
        });
      }
      const load = loadavg()[0].toFixed(1);
      console.log(
        `\npipeline bench: ${IMAGES} images of 640×480, ${POINTS}² = ${POINTS * POINTS} prompts each (official preset otherwise), provider ${provider}, ` +
          `${cores} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), load average ${load} at the end\n${formatPipelineTable(all)}\n`,
      );
      return rows;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};

export default bench;
await runIfMain(import.meta.url, bench);
