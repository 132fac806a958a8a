// The two public SAM2 export layouts (spec/models.md §1.3, §1.4), told apart by input names,
// and how the official prompt is written for each.
//
// The official pipeline prompts one positive point per query; SAM2's prompt encoder then
// appends a padding point (0, 0) with label −1 because no box is given (spec/method.md §3.3).
// - samexporter (`decoder.onnx`): its export wrapper `_embed_points` concatenates the padding
//   point and label itself, unconditionally (samexporter/export_sam2.py). We pass the bare
//   point; passing a padding point as well would give the decoder a third token.
// - onnx-community (`prompt_encoder_mask_decoder.onnx`): HF `Sam2PromptEncoder` pads only when
//   `input_boxes is None`, and this export always has an `input_boxes` input (transformers.js
//   feeds it as an empty [B, 0, 4] tensor and adds no padding point either), so the graph does
//   not pad. We append the (0, 0) / −1 point ourselves to reproduce the official two tokens.
//   This follows from the HF source; it is not verified against the real weights (spec/models.md
//   §1.3 flags it as worth a parity check).
// Coordinates are 1024-space pixels as SAM2's predictor receives them; both graphs add the
// +0.5 pixel-centre offset and divide by 1024 themselves.
import { floatTensor, int64Tensor, type DeclaredShape, type Feeds, type Tensor } from './backend.ts';
import { ModelFormatError, ModelInputError } from './errors.ts';

export type Sam2Layout = 'onnx-community' | 'samexporter';

export interface LayoutSpec {
  layout: Sam2Layout;
  encoderInput: string;
  /** Encoder outputs: 256×256×32, 128×128×64 and 64×64×256 levels. */
  levels: readonly [string, string, string];
  decoderInputs: readonly string[];
  /** Decoder input whose axis `promptAxis` is the prompt batch. */
  promptInput: string;
  promptAxis: number;
  iouOutput: string;
  masksOutput: string;
  /** The decoder graph appends SAM's padding point itself. */
  padsPrompt: boolean;
}

export const LAYOUTS: Record<Sam2Layout, LayoutSpec> = {
  'onnx-community': {
    layout: 'onnx-community',
    encoderInput: 'pixel_values',
    levels: ['image_embeddings.0', 'image_embeddings.1', 'image_embeddings.2'],
    decoderInputs: ['input_points', 'input_labels', 'input_boxes', 'image_embeddings.0', 'image_embeddings.1', 'image_embeddings.2'],
    promptInput: 'input_points',
    promptAxis: 1,
    iouOutput: 'iou_scores',
    masksOutput: 'pred_masks',
    padsPrompt: false,
  },
  samexporter: {
    layout: 'samexporter',
    encoderInput: 'image',
    levels: ['high_res_feats_0', 'high_res_feats_1', 'image_embed'],
    decoderInputs: ['image_embed', 'high_res_feats_0', 'high_res_feats_1', 'point_coords', 'point_labels', 'mask_input', 'has_mask_input'],
    promptInput: 'point_coords',
    promptAxis: 0,
    iouOutput: 'iou_predictions',
    masksOutput: 'masks',
    padsPrompt: true,
  },
};

export const LEVEL_SHAPES = [
  [1, 32, 256, 256],
  [1, 64, 128, 128],
  [1, 256, 64, 64],
] as const;
export const LOW_RES = 256;
const LOW_RES_CELLS = LOW_RES * LOW_RES;

function describe(spec: LayoutSpec): string {
  return `${spec.layout} (encoder input ${spec.encoderInput}; decoder inputs ${spec.decoderInputs.join(', ')})`;
}

/** Picks the layout whose names the two graphs carry; a clear error names both expectations. */
export function detectLayout(encoderInputs: readonly string[], decoderInputs: readonly string[], where: string): LayoutSpec {
  for (const spec of Object.values(LAYOUTS)) {
    const encoderOk = encoderInputs.includes(spec.encoderInput);
    const decoderOk = spec.decoderInputs.every((n) => decoderInputs.includes(n));
    if (encoderOk && decoderOk) {
      const extra = decoderInputs.filter((n) => !spec.decoderInputs.includes(n));
      if (extra.length > 0) {
        throw new ModelFormatError(
          `${where}: SAM2 decoder has inputs refseg does not know (${extra.join(', ')}); ` +
            `variants that return masks at the original size (orig_im_size) are not supported. Expected exactly ${describe(spec)}.`,
        );
      }
      return spec;
    }
  }
  throw new ModelFormatError(
    `${where}: not a supported SAM2 export. Encoder inputs [${encoderInputs.join(', ')}], decoder inputs [${decoderInputs.join(', ')}]; ` +
      `expected ${describe(LAYOUTS['onnx-community'])} or ${describe(LAYOUTS.samexporter)}.`,
  );
}

/** Largest prompt batch one decoder run may take: a fixed prompt axis caps it. */
export function promptBatchLimit(shape: DeclaredShape | undefined, axis: number): number | 'dynamic' {
  const d = shape?.[axis];
  return typeof d === 'number' ? d : 'dynamic';
}

export type Levels = readonly [Tensor, Tensor, Tensor];

export function levelTensors(levels: readonly [Float32Array, Float32Array, Float32Array]): Levels {
  return [floatTensor(levels[0], LEVEL_SHAPES[0]), floatTensor(levels[1], LEVEL_SHAPES[1]), floatTensor(levels[2], LEVEL_SHAPES[2])];
}

function levelFeeds(spec: LayoutSpec, levels: Levels): Feeds {
  return { [spec.levels[0]]: levels[0], [spec.levels[1]]: levels[1], [spec.levels[2]]: levels[2] };
}

/** Zero `mask_input` rows for samexporter batches, allocated once per size. */
export class ZeroMasks {
  private buffer = new Float32Array(0);

  rows(n: number): Float32Array {
    if (this.buffer.length < n * LOW_RES_CELLS) this.buffer = new Float32Array(n * LOW_RES_CELLS);
    return this.buffer.subarray(0, n * LOW_RES_CELLS);
  }
}

/**
 * Feeds for prompts [start, start + count) of one-point queries: `points` holds x, y pairs and
 * `labels` one label per point (1 positive, 0 negative), in 1024-space pixels.
 */
export function pointFeeds(
  spec: LayoutSpec,
  levels: Levels,
  points: Float32Array,
  labels: Int32Array,
  start: number,
  count: number,
  zeros: ZeroMasks,
): Feeds {
  if (spec.padsPrompt) {
    const coords = points.slice(start * 2, (start + count) * 2);
    const lab = Float32Array.from(labels.subarray(start, start + count));
    return {
      ...levelFeeds(spec, levels),
      point_coords: floatTensor(coords, [count, 1, 2]),
      point_labels: floatTensor(lab, [count, 1]),
      mask_input: floatTensor(zeros.rows(count), [count, 1, LOW_RES, LOW_RES]),
      has_mask_input: floatTensor(new Float32Array(1), [1]),
    };
  }
  const coords = new Float32Array(count * 4);
  const lab = new BigInt64Array(count * 2);
  for (let i = 0; i < count; i++) {
    coords[i * 4] = points[(start + i) * 2];
    coords[i * 4 + 1] = points[(start + i) * 2 + 1];
    // coords[i*4+2..3] stay (0, 0): the padding point SAM2 appends when no box is given.
    lab[i * 2] = BigInt(labels[start + i]);
    lab[i * 2 + 1] = -1n;
  }
  return {
    ...levelFeeds(spec, levels),
    input_points: floatTensor(coords, [1, count, 2, 2]),
    input_labels: int64Tensor(lab, [1, count, 2]),
    input_boxes: floatTensor(new Float32Array(0), [1, 0, 4]),
  };
}

/**
 * Feeds for ONE prompt made of several points (a person's clicks: 1 positive, 0 negative), in
 * 1024-space pixels. Like SAM2's predictor without a box, the prompt ends with the padding point
 * (0, 0) / −1: samexporter's graph appends it, for onnx-community it is written here.
 */
export function multiPointFeeds(spec: LayoutSpec, levels: Levels, points: Float32Array, labels: Int32Array, zeros: ZeroMasks): Feeds {
  const n = labels.length;
  if (n === 0 || points.length !== n * 2) throw new ModelInputError(`a point prompt needs at least one point and 2 coordinates per label; got ${points.length} coordinates for ${n} labels`);
  if (spec.padsPrompt) {
    return {
      ...levelFeeds(spec, levels),
      point_coords: floatTensor(Float32Array.from(points), [1, n, 2]),
      point_labels: floatTensor(Float32Array.from(labels), [1, n]),
      mask_input: floatTensor(zeros.rows(1), [1, 1, LOW_RES, LOW_RES]),
      has_mask_input: floatTensor(new Float32Array(1), [1]),
    };
  }
  const coords = new Float32Array((n + 1) * 2);
  coords.set(points);
  const lab = new BigInt64Array(n + 1);
  for (let i = 0; i < n; i++) lab[i] = BigInt(labels[i]);
  lab[n] = -1n;
  return {
    ...levelFeeds(spec, levels),
    input_points: floatTensor(coords, [1, 1, n + 1, 2]),
    input_labels: int64Tensor(lab, [1, 1, n + 1]),
    input_boxes: floatTensor(new Float32Array(0), [1, 0, 4]),
  };
}

/**
 * Feeds for box prompts [start, start + count) (x0, y0, x1, y1 in 1024-space pixels).
 * samexporter takes a box as two corner points labelled 2 and 3 (SAM2's own predictor does the
 * same, and its padding point follows); onnx-community has `input_boxes` and takes one box per
 * run together with an empty point list.
 */
export function boxFeeds(
  spec: LayoutSpec,
  levels: Levels,
  boxes: Float32Array,
  start: number,
  count: number,
  zeros: ZeroMasks,
): Feeds {
  if (spec.padsPrompt) {
    const lab = new Float32Array(count * 2);
    for (let i = 0; i < count; i++) {
      lab[i * 2] = 2;
      lab[i * 2 + 1] = 3;
    }
    return {
      ...levelFeeds(spec, levels),
      point_coords: floatTensor(boxes.slice(start * 4, (start + count) * 4), [count, 2, 2]),
      point_labels: floatTensor(lab, [count, 2]),
      mask_input: floatTensor(zeros.rows(count), [count, 1, LOW_RES, LOW_RES]),
      has_mask_input: floatTensor(new Float32Array(1), [1]),
    };
  }
  if (count !== 1) throw new ModelInputError('onnx-community decoders take one box per run');
  return {
    ...levelFeeds(spec, levels),
    input_points: floatTensor(new Float32Array(0), [1, 1, 0, 2]),
    input_labels: int64Tensor(new BigInt64Array(0), [1, 1, 0]),
    input_boxes: floatTensor(boxes.slice(start * 4, start * 4 + 4), [1, 1, 4]),
  };
}
