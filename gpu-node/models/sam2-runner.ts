// SAM2 encoder + decoder sessions of one worker thread: layout detection, optional no_mem_embed
// removal, and prompt batching within what the decoder graph allows.
import {
  floatData,
  floatTensor,
  int64Tensor,
  inputShape,
  openSession,
  outputShape,
  type Feeds,
  type OpenedSession,
  type Provider,
  type Session,
  type SessionSettings,
} from './backend.ts';
import { ModelFormatError, ModelInputError } from './errors.ts';
import type { BestMasks } from './compact-masks.ts';
import { edgeRadius } from '../../shared/matching/index.ts';
import { bestMaskSource, COMPACT_OUTPUTS, FEATURES_INPUT, RADIUS_INPUT, THRESHOLD_INPUT, type BestMask } from './decoder-best-mask.ts';
import { DINO_GRID } from './dino-runner.ts';
import { decoderSource, type MaskClip } from './decoder-clip.ts';
import { imageOnceSource, type ImageOnce } from './decoder-image-once.ts';
import type { GraphFile } from './graph-source.ts';
import { pairVariant } from './variant.ts';
import { patchedEncoderSource } from './no-mem-embed.ts';
import {
  LEVEL_SHAPES,
  LOW_RES,
  boxFeeds,
  multiPointFeeds,
  detectLayout,
  pointFeeds,
  promptBatchLimit,
  type LayoutSpec,
  type Levels,
  type Sam2Layout,
  ZeroMasks,
} from './sam2-layout.ts';

export interface Sam2Files {
  encoder: string;
  decoder: string;
  /** Weights variant (fp32, fp16, quantized, …; see files.ts). Default: read from the file names. */
  variant?: string;
}

export interface Sam2Options {
  /** Strip the encoder's no_mem_embed Add (the official pipeline never adds it). */
  removeNoMemEmbed: boolean;
  /** Most prompts per decoder run when the graph's prompt axis is symbolic. */
  maxPromptBatch: number;
  /** Strip the decoder's clamp of the mask logits (the official pipeline never clamps). */
  removeMaskClip: boolean;
  /**
   * Run the decoder's image-only work once per image (decoder-image-once.ts); exact only without
   * a mask prompt, which refseg never sends. Default on in openModels.
   */
  decoderImageOnce: boolean;
  /**
   * Append the official proposal steps to the decoder (best of 3 by IoU, IoU filter, compact
   * masks: decoder-best-mask.ts), so a run hands out the kept prompts' sign bits and edge logits
   * instead of every logit. Default on in openModels.
   */
  decoderBestMask: boolean;
}

export interface Sam2Info {
  layout: Sam2Layout;
  files: Sam2Files;
  /** Weights variant in use (fp32, fp16, quantized, …). */
  variant: string;
  /** Prompt axis of the decoder: symbolic, or fixed at this size (then prompts run in such groups). */
  promptAxis: number | 'dynamic';
  /** Masks per prompt when the graph declares it (3 for the public exports). */
  maskTokens: number | 'dynamic';
  /** Whether the decoder graph appends the padding point itself (else refseg sends it). */
  graphPadsPrompt: boolean;
  noMemEmbed: 'kept' | 'removed';
  /** Name of the removed Add node, for the record. */
  noMemEmbedNode?: string;
  /** Clamp of the decoder's mask logits: removed, kept, or none in the graph (decoder-clip.ts). */
  maskClip: MaskClip;
  /** The Clip node, when the graph has one. */
  maskClipNode?: string;
  /** Image-only decoder work at batch 1: applied, off (asked), none (graph not recognised). */
  imageOnce: ImageOnce;
  /** Post-decoder steps in the graph: applied, off (asked), none (not samexporter's output layout). */
  bestMask: BestMask;
  provider: Provider;
  fallbackReason?: string;
}

export interface Decoded {
  /** n × K × 256 × 256 low-resolution logits, prompt-major. */
  logits: Float32Array;
  /** n × K predicted IoUs. */
  iou: Float32Array;
  count: number;
  maskTokens: number;
}

const IMAGE_VALUES = 3 * 1024 * 1024;
const LOW_RES_CELLS = LOW_RES * LOW_RES;
const PATCHES = DINO_GRID * DINO_GRID;
const LEVEL_SIZES = LEVEL_SHAPES.map((s) => s.reduce((a: number, b: number) => a * b, 1));

export class Sam2Runner {
  private readonly zeros = new ZeroMasks();
  /**
   * With the post-decoder steps in the graph, dense runs still feed their inputs and fetch only
   * the logits; a threshold of +∞ keeps no prompt, so those steps cost next to nothing.
   */
  private readonly denseExtra: Feeds;
  private readonly denseOutputs: string[];

  private constructor(
    private readonly encoder: Session,
    private readonly decoder: Session,
    private readonly spec: LayoutSpec,
    private readonly promptBatch: number,
    readonly info: Sam2Info,
  ) {
    this.denseOutputs = [spec.masksOutput, spec.iouOutput];
    this.denseExtra =
      info.bestMask === 'applied'
        ? {
            [THRESHOLD_INPUT]: floatTensor(new Float32Array([Infinity]), []),
            [RADIUS_INPUT]: int64Tensor(new BigInt64Array([1n, 1n]), [2]),
            [FEATURES_INPUT]: floatTensor(new Float32Array(PATCHES), [PATCHES, 1]),
          }
        : {};
  }

  /** `graphs`: the two graphs already in memory (a browser); by default `files` are read from disk. */
  static async open(files: Sam2Files, settings: SessionSettings, opts: Sam2Options, graphs?: { encoder: GraphFile; decoder: GraphFile }): Promise<Sam2Runner> {
    const encoderFile = graphs?.encoder ?? files.encoder;
    const decoderFile = graphs?.decoder ?? files.decoder;
    const unclipped = await decoderSource(decoderFile, opts.removeMaskClip);
    const once = opts.decoderImageOnce ? await imageOnceSource(unclipped.source, decoderFile) : { source: unclipped.source, imageOnce: 'off' as const };
    const best = opts.decoderBestMask ? await bestMaskSource(once.source, decoderFile) : { source: once.source, bestMask: 'off' as const };
    const decoder = await openSession(best.source, settings);
    const where = `${files.encoder} + ${files.decoder}`;
    // The inputs refseg's own post-decoder steps added are not the export's.
    const exported = decoder.session.inputNames.filter((n) => n !== THRESHOLD_INPUT && n !== RADIUS_INPUT && n !== FEATURES_INPUT);
    const layoutOf = (encoderInputs: readonly string[]) => detectLayout(encoderInputs, exported, where);
    let spec: LayoutSpec;
    let encoder: OpenedSession;
    let noMemEmbedNode: string | undefined;
    if (opts.removeNoMemEmbed) {
      let found: LayoutSpec | undefined;
      const patched = await patchedEncoderSource(encoderFile, (names) => {
        found = layoutOf(names);
        return found.levels[2];
      });
      try {
        encoder = await openSession(patched.source, settings);
      } finally {
        await patched.cleanup();
      }
      spec = found!;
      noMemEmbedNode = patched.site.node;
    } else {
      encoder = await openSession(typeof encoderFile === 'string' ? { model: encoderFile } : encoderFile.source, settings);
      spec = layoutOf(encoder.session.inputNames);
    }
    const axis = promptBatchLimit(inputShape(decoder.session, spec.promptInput), spec.promptAxis);
    const tokens = outputShape(decoder.session, spec.iouOutput)?.at(-1);
    const fallbackReason = encoder.fallbackReason ?? decoder.fallbackReason;
    const info: Sam2Info = {
      layout: spec.layout,
      files,
      variant: files.variant ?? pairVariant(files),
      promptAxis: axis,
      maskTokens: typeof tokens === 'number' ? tokens : 'dynamic',
      graphPadsPrompt: spec.padsPrompt,
      noMemEmbed: opts.removeNoMemEmbed ? 'removed' : 'kept',
      ...(noMemEmbedNode === undefined ? {} : { noMemEmbedNode }),
      maskClip: unclipped.maskClip,
      ...(unclipped.site === undefined ? {} : { maskClipNode: unclipped.site.node }),
      imageOnce: once.imageOnce,
      bestMask: best.bestMask,
      provider: encoder.provider === decoder.provider ? encoder.provider : 'cpu',
      ...(fallbackReason === undefined ? {} : { fallbackReason }),
    };
    const batch = axis === 'dynamic' ? Math.max(1, Math.floor(opts.maxPromptBatch)) : axis;
    return new Sam2Runner(encoder.session, decoder.session, spec, batch, info);
  }

  /** pixels: 3×1024×1024 ImageNet-normalised CHW → the three embedding levels. */
  async encode(pixels: Float32Array): Promise<[Float32Array, Float32Array, Float32Array]> {
    if (pixels.length !== IMAGE_VALUES) throw new ModelInputError(`SAM2 input must be 3×1024×1024 floats, got ${pixels.length}`);
    const out = await this.encoder.run({ [this.spec.encoderInput]: floatTensor(pixels, [1, 3, 1024, 1024]) });
    const levels = this.spec.levels.map((name, i) => {
      const t = out[name];
      if (!t) throw new ModelFormatError(`SAM2 encoder returned no "${name}"`);
      const data = floatData(t);
      if (data.length !== LEVEL_SIZES[i]) {
        throw new ModelFormatError(`SAM2 encoder output "${name}" has shape [${t.dims.join(', ')}], expected [${LEVEL_SHAPES[i].join(', ')}]`);
      }
      return data;
    });
    return [levels[0], levels[1], levels[2]];
  }

  /** One positive/negative point per prompt: points = x, y pairs, labels one per point. */
  decodePoints(levels: Levels, points: Float32Array, labels: Int32Array): Promise<Decoded> {
    const n = labels.length;
    if (points.length !== n * 2) throw new ModelInputError(`${n} labels need ${n * 2} point coordinates, got ${points.length}`);
    return this.decode(n, this.promptBatch, (start, count) => pointFeeds(this.spec, levels, points, labels, start, count, this.zeros));
  }

  /** One prompt of several points (labels 1 positive, 0 negative). */
  decodePrompt(levels: Levels, points: Float32Array, labels: Int32Array): Promise<Decoded> {
    return this.decode(1, 1, () => multiPointFeeds(this.spec, levels, points, labels, this.zeros));
  }

  /** Box prompts x0, y0, x1, y1. */
  decodeBoxes(levels: Levels, boxes: Float32Array): Promise<Decoded> {
    if (boxes.length % 4 !== 0) throw new ModelInputError(`boxes need 4 numbers each, got ${boxes.length}`);
    const batch = this.spec.padsPrompt ? this.promptBatch : 1;
    return this.decode(boxes.length / 4, batch, (start, count) => boxFeeds(this.spec, levels, boxes, start, count, this.zeros));
  }

  /**
   * The official proposals of single positive points, chosen in the graph (info.bestMask
   * 'applied'): best of 3 by IoU, kept when IoU > iouThreshold (a float32 value), as planes that
   * decide the same masks as the real logits for a height × width image (compact-masks.ts).
   */
  async proposePoints(levels: Levels, points: Float32Array, iouThreshold: number, size: { height: number; width: number }, features: Float32Array): Promise<BestMasks> {
    if (this.info.bestMask !== 'applied') throw new ModelInputError(`this decoder has no post-decoder steps (bestMask: ${this.info.bestMask})`);
    if (points.length % 2 !== 0) throw new ModelInputError(`points need 2 numbers each, got ${points.length}`);
    if (features.length === 0 || features.length % PATCHES !== 0) throw new ModelInputError(`patch features must be ${DINO_GRID}×${DINO_GRID}×D floats, got ${features.length}`);
    const dim = features.length / PATCHES;
    const n = points.length / 2;
    const labels = new Int32Array(n).fill(1);
    const extra = {
      [THRESHOLD_INPUT]: floatTensor(new Float32Array([iouThreshold]), []),
      [RADIUS_INPUT]: int64Tensor(BigInt64Array.from(edgeRadius(size.height, size.width), BigInt), [2]),
      [FEATURES_INPUT]: floatTensor(features, [PATCHES, dim]),
    };
    const parts: { start: number; iou: Float32Array; prompt: BigInt64Array; sign: Uint8Array; edgeCell: Int32Array; edgeLogit: Float32Array; embedding: Float32Array }[] = [];
    let count = 0;
    let bytesOut = 0;
    for (let start = 0; start < n; start += this.promptBatch) {
      const size = Math.min(this.promptBatch, n - start);
      const out = await this.decoder.run({ ...pointFeeds(this.spec, levels, points, labels, start, size, this.zeros), ...extra }, [...COMPACT_OUTPUTS]);
      const part = {
        start,
        iou: floatData(out.best_iou),
        prompt: out.best_prompt.data as BigInt64Array,
        sign: out.best_sign.data as Uint8Array,
        edgeCell: out.edge_cell.data as Int32Array,
        edgeLogit: floatData(out.edge_logit),
        embedding: floatData(out.best_embedding),
      };
      for (const name of COMPACT_OUTPUTS) bytesOut += (out[name].data as ArrayBufferView).byteLength;
      parts.push(part);
      count += part.iou.length;
    }
    const iou = new Float32Array(count);
    const prompt = new Int32Array(count);
    const sign = new Uint8Array(count * LOW_RES_CELLS / 8);
    const edges = parts.reduce((e, p) => e + p.edgeCell.length, 0);
    const edgeCell = new Int32Array(edges);
    const edgeLogit = new Float32Array(edges);
    const embedding = new Float32Array(count * dim);
    let at = 0;
    let e = 0;
    for (const part of parts) {
      const k = part.iou.length;
      iou.set(part.iou, at);
      for (let i = 0; i < k; i++) prompt[at + i] = part.start + Number(part.prompt[i]);
      sign.set(part.sign, (at * LOW_RES_CELLS) / 8);
      for (let i = 0; i < part.edgeCell.length; i++) edgeCell[e + i] = part.edgeCell[i] + at * LOW_RES_CELLS;
      edgeLogit.set(part.edgeLogit, e);
      embedding.set(part.embedding, at * dim);
      at += k;
      e += part.edgeCell.length;
    }
    return { count, iou, prompt, sign, edgeCell, edgeLogit, embedding, dim, bytesOut };
  }

  private async decode(n: number, batch: number, feeds: (start: number, count: number) => Feeds): Promise<Decoded> {
    let logits = new Float32Array(0);
    let iou = new Float32Array(0);
    let K = typeof this.info.maskTokens === 'number' ? this.info.maskTokens : 3;
    for (let start = 0; start < n; start += batch) {
      const count = Math.min(batch, n - start);
      const out = await this.decoder.run({ ...feeds(start, count), ...this.denseExtra }, this.denseOutputs);
      const q = floatData(out[this.spec.iouOutput]);
      const m = floatData(out[this.spec.masksOutput]);
      if (start === 0) {
        K = q.length / count;
        logits = new Float32Array(n * K * LOW_RES_CELLS);
        iou = new Float32Array(n * K);
      }
      if (q.length !== count * K || m.length !== count * K * LOW_RES_CELLS) {
        throw new ModelFormatError(
          `SAM2 decoder returned ${this.spec.masksOutput} [${out[this.spec.masksOutput].dims.join(', ')}] for ${count} prompts; ` +
            `expected ${count}×${K}×${LOW_RES}×${LOW_RES} low-resolution logits`,
        );
      }
      logits.set(m, start * K * LOW_RES_CELLS);
      iou.set(q, start * K);
    }
    return { logits, iou, count: n, maskTokens: K };
  }
}
