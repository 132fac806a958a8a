// One image through the real gpu-node pipeline (decode → SAM2 encoder → batched point decoder →
// DINOv2 → candidate extraction), with the wall time of every stage. The image is drawn here, so
// the check needs no file and no network.
import sharp from 'sharp';
import type { Provider } from '../../models/index.ts';
import type { Stage } from '../../pipeline/index.ts';

export const SMOKE_WIDTH = 640;
export const SMOKE_HEIGHT = 480;

/** A 640×480 PNG: a grey gradient with three flat-coloured shapes (something for SAM2 to find). */
export async function smokeImage(): Promise<Uint8Array> {
  const w = SMOKE_WIDTH;
  const h = SMOKE_HEIGHT;
  const px = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      let c: [number, number, number] = [90 + Math.round((60 * x) / w), 90 + Math.round((60 * y) / h), 120];
      if (x >= 60 && x < 220 && y >= 80 && y < 240) c = [200, 40, 40];
      else if ((x - 420) ** 2 + (y - 160) ** 2 < 70 ** 2) c = [40, 170, 60];
      else if (x >= 250 && x < 560 && y >= 330 && y < 420) c = [40, 60, 200];
      px.set(c, i);
    }
  }
  return new Uint8Array(await sharp(px, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer());
}

export interface StageTime {
  stage: Stage;
  calls: number;
  ms: number;
}

export interface SmokeResult {
  /** Provider the sessions run on (CUDA falls back to CPU). */
  provider: Provider;
  /** Why CUDA was not used, when it was asked for. */
  fallback?: string;
  modelId: string;
  /** What the loader made of the SAM2 export. */
  sam2: { layout: string; noMemEmbed: 'kept' | 'removed'; noMemEmbedNode?: string; promptAxis: number | 'dynamic' };
  loadMs: number;
  totalMs: number;
  prompts: number;
  candidates: number;
  stages: StageTime[];
}

export interface SmokeOptions {
  sam2Dir: string;
  dinoPath: string;
  provider: Provider;
  threads: number;
  removeNoMemEmbed: boolean;
  /** Points per side of the official grid (32 = the paper's 1024 prompts). */
  grid: number;
}

export async function runSmoke(opts: SmokeOptions): Promise<SmokeResult> {
  const { openPipeline } = await import('../../pipeline/index.ts');
  const logged: string[] = [];
  const t0 = performance.now();
  const pipeline = await openPipeline({
    sam2Dir: opts.sam2Dir,
    dinoPath: opts.dinoPath,
    provider: opts.provider,
    threads: { intraOp: opts.threads },
    removeNoMemEmbed: opts.removeNoMemEmbed,
    workers: 1,
    log: (line) => logged.push(line),
  });
  const loadMs = performance.now() - t0;
  try {
    const image = await smokeImage();
    const times = new Map<Stage, StageTime>();
    const t1 = performance.now();
    const { set } = await pipeline.candidates(image, {
      proposals: { preset: 'official', pointsPerSide: opts.grid },
      observe: (stage, ms) => {
        const s = times.get(stage) ?? { stage, calls: 0, ms: 0 };
        s.calls++;
        s.ms += ms;
        times.set(stage, s);
      },
    });
    const totalMs = performance.now() - t1;
    const { provider, sam2 } = pipeline.info;
    return {
      provider,
      ...(opts.provider === 'cuda' && provider !== 'cuda' ? { fallback: sam2.fallbackReason ?? (logged.join(' ') || 'CUDA did not start') } : {}),
      modelId: pipeline.modelId,
      sam2: {
        layout: sam2.layout,
        noMemEmbed: sam2.noMemEmbed,
        ...(sam2.noMemEmbedNode ? { noMemEmbedNode: sam2.noMemEmbedNode } : {}),
        promptAxis: sam2.promptAxis,
      },
      loadMs,
      totalMs,
      prompts: opts.grid * opts.grid,
      candidates: set.candidates.length,
      stages: [...times.values()],
    };
  } finally {
    await pipeline.close();
  }
}
