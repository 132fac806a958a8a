// Public entry of the model layer: SAM2 and DINOv2 behind worker threads.
//
//   const models = await openModels({ sam2Dir, dinoPath });
//   const emb = await models.sam2.encode(samPixels);              // 3×1024×1024 normalised
//   const { logits, iou } = await models.sam2.decodePoints(emb, points, labels);
//   const feats = await models.dino.patchFeatures(dinoPixels);     // 3×518×518 normalised
//   await models.close();
//
// Every session.run happens in a worker (onnxruntime-node blocks the calling thread, spec/models.md
// §4.3), so an HTTP server on the main thread stays responsive.
//
// removeNoMemEmbed defaults to true: the official No-Time-to-Train pipeline feeds the decoder the
// raw 64×64 neck features without SAM2's no_mem_embed (spec/method.md §3.3 step 2), and its
// published numbers come from that path; the exports bake the vector in, so refseg takes it out
// of the graph (see no-mem-embed.ts). Set it to false for SAM2's standard predictor behaviour, or
// for an export where the Add cannot be located (opening then fails with NoMemEmbedNotFoundError
// rather than silently deviating).
import type { Provider, Runtime } from './backend.ts';
import type { DinoInfo } from './dino-runner.ts';
import { ModelInputError } from './errors.ts';
import { findSam2Files } from './files.ts';
import { anyStandin } from './producer.ts';
import { WorkerPool } from './pool.ts';
import type { Sam2Embeddings } from './protocol.ts';
import type { BestMasks } from './compact-masks.ts';
import type { Decoded, Sam2Files, Sam2Info } from './sam2-runner.ts';

export * from './errors.ts';
export { DINO_GRID, DINO_SIZE } from './dino-runner.ts';
export { STANDIN_PRODUCER } from './producer.ts';
export type { DinoInfo } from './dino-runner.ts';
export type { Sam2Embeddings } from './protocol.ts';
export type { Decoded, Sam2Files, Sam2Info } from './sam2-runner.ts';
export type { BestMasks } from './compact-masks.ts';
export type { Provider, Runtime } from './backend.ts';
export { RUNTIMES } from './backend.ts';

export interface OpenModelsOptions {
  /** Folder with the SAM2 encoder and decoder (either layout); or give `sam2Paths`. */
  sam2Dir?: string;
  sam2Paths?: Sam2Files;
  /**
   * Which weights variant to load from `sam2Dir` when it holds several (hub `onnx/` folders):
   * fp32, fp16, int8, uint8, quantized, q4, q4f16, bnb4. Default: the only one, else fp32.
   */
  sam2Variant?: string;
  dinoPath: string;
  /**
   * ONNX runtime: `node` (onnxruntime-node, default) or `web` (onnxruntime-web WASM, for hosts
   * without the native addon; same graphs, patches and preprocessing, docs/on-device.md).
   */
  backend?: Runtime;
  /** `cuda` (node runtime) and `webgpu` (web runtime) fall back to CPU (one log line) when the CUDA provider cannot start. Default `cpu`. */
  provider?: Provider;
  deviceId?: number;
  /** ORT thread counts per session (0 = ORT default). */
  threads?: { intraOp?: number; interOp?: number };
  /** Default true (see above). */
  removeNoMemEmbed?: boolean;
  /**
   * Default true: take out the Clip(−32, 32) that samexporter's decoder puts on the mask logits
   * (the official pipeline does not clamp; decoder-clip.ts). A graph without it is used as is.
   */
  removeMaskClip?: boolean;
  /**
   * Default true: run the decoder's image-only work (src, its PE, layer 0's image projections,
   * the zero-mask convolutions) once per image instead of once per prompt
   * (decoder-image-once.ts). Same outputs; a graph it does not recognise is used as is.
   */
  decoderImageOnce?: boolean;
  /**
   * Default true: append the official proposal steps to samexporter's decoder (best of 3 by IoU,
   * the IoU filter, compact masks; decoder-best-mask.ts), so `proposePoints` copies the kept
   * prompts' sign bits and edge logits out of the runtime instead of every logit. Same
   * candidates; a graph of another output layout is used as is (Sam2Info.bestMask 'none').
   */
  decoderBestMask?: boolean;
  /** Prompts per decoder run when the decoder's prompt axis is symbolic. Default 64. */
  maxPromptBatch?: number;
  /** Worker threads = requests run at once on this node. Each loads its own sessions. Default 1. */
  workers?: number;
  /** Requests that may wait for a worker before ModelsBusyError. Default 8. */
  maxQueue?: number;
  /** Where the one-line provider fallback notice goes. Default console.warn. */
  log?: (line: string) => void;
}

export interface ModelsInfo {
  sam2: Sam2Info;
  dino: DinoInfo;
  provider: Provider;
  backend: Runtime;
  workers: number;
  threads: { intraOp: number; interOp: number };
  /** Some model is one of the project's generated stand-ins: results mean nothing on real photos. */
  standin: boolean;
}

export interface Sam2Api {
  /** pixels: 3×1024×1024 ImageNet-normalised CHW (gpu-node/preprocess `samPixels`). */
  encode(pixels: Float32Array): Promise<Sam2Embeddings>;
  /**
   * One single-point prompt per entry: `points` = x, y pairs in 1024-space pixels (as SAM2's
   * predictor takes them, before its +0.5), `labels` 1 positive (default) or 0 negative. SAM2's
   * padding point is added for layouts whose graph does not add it.
   */
  decodePoints(emb: Sam2Embeddings, points: ArrayLike<number>, labels?: ArrayLike<number>): Promise<Decoded>;
  /** ONE prompt of all the given points (x, y pairs in 1024-space pixels; labels 1 or 0). */
  decodePrompt(emb: Sam2Embeddings, points: ArrayLike<number>, labels: ArrayLike<number>): Promise<Decoded>;
  /** Box prompts x0, y0, x1, y1 in 1024-space pixels, 4 numbers each. */
  decodeBox(emb: Sam2Embeddings, boxes: ArrayLike<number>): Promise<Decoded>;
  /**
   * The official proposals of single positive points, chosen in the decoder graph: best of 3 by
   * predicted IoU, kept when that IoU > iouThreshold (compared in float32), in prompt order,
   * with each kept mask's embedding pooled from `features` (37×37×D patch tokens) in the graph.
   * Present only when the graph carries those steps (Sam2Info.bestMask 'applied').
   */
  proposePoints?(emb: Sam2Embeddings, points: ArrayLike<number>, opts: { iouThreshold: number; height: number; width: number; features: Float32Array }): Promise<BestMasks>;
}

export interface DinoApi {
  /** pixels: 3×518×518 ImageNet-normalised CHW → 37×37×D patch tokens, row-major. */
  patchFeatures(pixels: Float32Array): Promise<Float32Array>;
}

export interface ModelsLoad {
  busy: number;
  queued: number;
  started?: number;
  cancelled?: number;
  restarts?: number;
}

export interface Models {
  sam2: Sam2Api;
  dino: DinoApi;
  info: ModelsInfo;
  /** Requests running and waiting right now; jobs started, dropped unstarted, workers restarted so far. */
  load(): ModelsLoad;
  close(): Promise<void>;
}

export async function openModels(opts: OpenModelsOptions): Promise<Models> {
  const sam2 = opts.sam2Paths ?? (opts.sam2Dir ? await findSam2Files(opts.sam2Dir, opts.sam2Variant) : undefined);
  if (!sam2) throw new ModelInputError('openModels needs sam2Dir or sam2Paths');
  const threads = { intraOp: opts.threads?.intraOp ?? 0, interOp: opts.threads?.interOp ?? 0 };
  const workers = Math.max(1, opts.workers ?? 1);
  const { pool, info } = await WorkerPool.start(
    {
      sam2,
      dino: opts.dinoPath,
      settings: {
        runtime: opts.backend ?? 'node',
        provider: opts.provider ?? 'cpu',
        intraOpThreads: threads.intraOp,
        interOpThreads: threads.interOp,
        ...(opts.deviceId === undefined ? {} : { deviceId: opts.deviceId }),
      },
      sam2Options: {
        removeNoMemEmbed: opts.removeNoMemEmbed ?? true,
        maxPromptBatch: opts.maxPromptBatch ?? 64,
        removeMaskClip: opts.removeMaskClip ?? true,
        decoderImageOnce: opts.decoderImageOnce ?? true,
        decoderBestMask: opts.decoderBestMask ?? true,
      },
    },
    { workers, maxQueue: opts.maxQueue ?? 8 },
  );
  const fallback = info.sam2.fallbackReason ?? info.dino.fallbackReason;
  if (opts.provider !== undefined && opts.provider !== 'cpu' && fallback !== undefined) {
    const where = opts.backend === 'web' ? 'WASM' : 'CPU';
    (opts.log ?? console.warn)(`refseg: ${opts.provider.toUpperCase()} execution provider unavailable (${fallback}); running the models on ${where}.`);
  }
  const standin = await anyStandin([sam2.encoder, sam2.decoder, opts.dinoPath]);
  const provider: Provider = info.sam2.provider === info.dino.provider ? info.sam2.provider : 'cpu';

  return {
    sam2: {
      encode: (pixels) => pool.run({ op: 'encode', pixels }),
      decodePoints: (emb, points, labels) => {
        const n = Math.floor(points.length / 2);
        const lab = labels === undefined ? new Int32Array(n).fill(1) : Int32Array.from(labels);
        return pool.run({ op: 'decodePoints', emb, points: Float32Array.from(points), labels: lab });
      },
      decodePrompt: (emb, points, labels) => pool.run({ op: 'decodePrompt', emb, points: Float32Array.from(points), labels: Int32Array.from(labels) }),
      decodeBox: (emb, boxes) => pool.run({ op: 'decodeBoxes', emb, boxes: Float32Array.from(boxes) }),
      ...(info.sam2.bestMask === 'applied'
        ? {
            proposePoints: (emb: Sam2Embeddings, points: ArrayLike<number>, o: { iouThreshold: number; height: number; width: number; features: Float32Array }) =>
              pool.run({ op: 'proposePoints', emb, points: Float32Array.from(points), iouThreshold: Math.fround(o.iouThreshold), size: { height: o.height, width: o.width }, features: o.features }),
          }
        : {}),
    },
    dino: {
      patchFeatures: (pixels) => pool.run({ op: 'patchFeatures', pixels }),
    },
    info: { sam2: info.sam2, dino: info.dino, provider, backend: opts.backend ?? 'node', workers, threads, standin },
    load: () => ({ busy: pool.busy, queued: pool.queued, ...pool.counters }),
    close: () => pool.close(),
  };
}
