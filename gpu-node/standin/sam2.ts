// Stand-in SAM2 graphs with the public I/O of the two export layouts (spec/models.md §1.3, §1.4)
// and analytic outputs, so end-to-end tests on synthetic scenes have known answers.
//
// Encoder: every level is an average-pooled copy of the (ImageNet-normalised) image; channels 0..2
// hold the pooled colour exactly, the other channels are fixed mixtures of it. The 64×64 level
// gets a `no_mem_embed` constant added exactly as the real exports do it (samexporter
// export_sam2.py and HF Sam2Model.get_image_embeddings): flatten to [HW, B, C], Add a
// [1, 1, 256] initializer, Transpose + Reshape back — so the detection/removal code that works
// on the real graphs is exercised here.
//
// Decoder: per prompt a seed point (mean of the positive points, or the box centre), the colour
// c_s of the 256-grid cell under it, and for mask token k
//   logit_k(p) = 8·(t_k − ‖C(p) − c_s‖) − 4·relu(‖p − seed‖ − R_k)        (256-grid units)
// i.e. pixels of similar colour inside a window of radius R_k. Predicted IoU (a sigmoid, as in
// SAM2 with iou_prediction_use_sigmoid) rewards compact regions that do not leak out of the window:
//   iou_k = σ(4 − 8·leak_k − 6·(1 − interior_k) + bias_k)
// leak_k = share of the window's border ring (R_k−2, R_k] that has the seed colour, interior_k =
// share of mask cells whose 4 neighbours are also in the mask. A background point (its colour
// region fills the window) or a point on an anti-aliased edge (a thin arc) therefore scores low;
// a point on a separated object that fits in a window scores high.
import { FLOAT, GraphBuilder, INT64, pseudoRandom, type Dim, type EncodedModel } from './onnx-graph.ts';

const GRID = 256;
const CELLS = GRID * GRID;
const IMAGE = 1024;

/** One mask token of the stand-in decoder. */
export interface MaskToken {
  /** Colour tolerance in ImageNet-normalised units. */
  tolerance: number;
  /** Window radius in 256-grid cells. */
  radius: number;
  /** Added to the IoU logit; breaks ties toward the tighter token. */
  bias: number;
}

/** Token 0 (the single-mask output) followed by the three multimask tokens 1..3. */
export const MASK_TOKENS: readonly MaskToken[] = [
  { tolerance: 0.6, radius: 64, bias: -0.5 },
  { tolerance: 0.3, radius: 16, bias: 0.03 },
  { tolerance: 0.6, radius: 32, bias: 0.02 },
  { tolerance: 1.2, radius: 64, bias: 0.01 },
];
export const LOGIT_SLOPE = 8;
export const WINDOW_FALLOFF = 4;
export const RING_WIDTH = 2;
export const IOU_LOGIT = { base: 4, leak: 8, compact: 6 } as const;
/** object_score_logits of the stand-in (the official pipeline disables the head: constant 10). */
export const OBJECT_SCORE = 10;

/** The no_mem_embed vector the stand-in encoders add to level 2. */
export function noMemEmbed(): Float32Array {
  const rnd = pseudoRandom(7);
  return Float32Array.from({ length: 256 }, () => 0.05 * rnd());
}

/** 1×1 projection 3 → channels: channels 0..2 copy the colour, the rest are fixed mixtures. */
function projection(channels: number, seed: number): Float32Array {
  const rnd = pseudoRandom(seed);
  const w = new Float32Array(channels * 3);
  for (let c = 0; c < channels; c++) {
    for (let k = 0; k < 3; k++) w[c * 3 + k] = c < 3 ? (c === k ? 1 : 0) : 0.5 * rnd();
  }
  return w;
}

function pooledLevel(b: GraphBuilder, px: string, pool: number, channels: number, seed: number): string {
  const pooled = b.op('AveragePool', [px], { kernel_shape: [pool, pool], strides: [pool, pool] });
  return b.op('Conv', [pooled, b.floats(projection(channels, seed), [channels, 3, 1, 1])]);
}

interface EncoderNames {
  input: string;
  outputs: [string, string, string];
  batch: Dim;
}

function buildEncoder(graphName: string, names: EncoderNames): GraphBuilder {
  const b = new GraphBuilder(graphName);
  const B = names.batch;
  const px = b.input(names.input, FLOAT, [B, 3, IMAGE, IMAGE]);
  const e0 = pooledLevel(b, px, 4, 32, 1);
  const e1 = pooledLevel(b, px, 8, 64, 2);
  const f2 = pooledLevel(b, px, 16, 256, 3);
  const seq = b.op('Transpose', [b.reshape(f2, [0, 256, 64 * 64])], { perm: [2, 0, 1] });
  const withMem = b.op('Add', [seq, b.floats(noMemEmbed(), [1, 1, 256], 'no_mem_embed')]);
  const e2 = b.reshape(b.op('Transpose', [withMem], { perm: [1, 2, 0] }), [-1, 256, 64, 64]);
  b.output(names.outputs[0], e0, FLOAT, [B, 32, 256, 256]);
  b.output(names.outputs[1], e1, FLOAT, [B, 64, 128, 128]);
  b.output(names.outputs[2], e2, FLOAT, [B, 256, 64, 64]);
  return b;
}

/** Cell-centre coordinates of the 256 grid, row-major: [1, 65536] each. */
function gridCoords(b: GraphBuilder): { X: string; Y: string } {
  const xs = new Float32Array(CELLS);
  const ys = new Float32Array(CELLS);
  for (let i = 0; i < CELLS; i++) {
    xs[i] = (i % GRID) + 0.5;
    ys[i] = Math.floor(i / GRID) + 0.5;
  }
  return { X: b.floats(xs, [1, CELLS]), Y: b.floats(ys, [1, CELLS]) };
}

function column(b: GraphBuilder, x: string, col: number): string {
  return b.op('Slice', [x, b.ints([col]), b.ints([col + 1]), b.ints([1])]);
}

interface LogitMaps {
  logits: string; // [P, K, 65536]
  colourDist: string; // [P, 1, 65536]
  seedDist: string; // [P, 1, 65536]
}

/** seeds: [P, 2] in 1024-space pixels (before SAM's +0.5); colour: [3, 65536]. */
function colourLogits(b: GraphBuilder, seeds: string, colour: string, tokens: readonly MaskToken[]): LogitMaps {
  const K = tokens.length;
  // SAM's prompt encoder: +0.5 then /1024; on the 256 grid that is (x + 0.5) / 4.
  const g = b.op('Div', [b.op('Add', [seeds, b.scalar(0.5)]), b.scalar(IMAGE / GRID)]);
  const cell = b.op('Cast', [b.op('Clip', [b.op('Floor', [g]), b.scalar(0), b.scalar(GRID - 1)])], { to: INT64 });
  const flat = b.reshape(
    b.op('Add', [b.op('Mul', [column(b, cell, 1), b.ints([GRID], [])]), column(b, cell, 0)]),
    [-1],
  );
  const seedColour = b.op('Transpose', [b.op('Gather', [colour, flat], { axis: 1 })], { perm: [1, 0] }); // [P,3]
  const cc = b.reduceSum(b.op('Mul', [colour, colour]), [0]); // [1,65536]
  const ss = b.reduceSum(b.op('Mul', [seedColour, seedColour]), [1]); // [P,1]
  const dot = b.op('MatMul', [seedColour, colour]); // [P,65536]
  const d2 = b.op('Add', [b.op('Sub', [ss, b.op('Mul', [dot, b.scalar(2)])]), cc]);
  const colourDist = b.unsqueeze(b.op('Sqrt', [b.op('Relu', [d2])]), [1]);

  const { X, Y } = gridCoords(b);
  const dx = b.op('Sub', [X, column(b, g, 0)]);
  const dy = b.op('Sub', [Y, column(b, g, 1)]);
  const r2 = b.op('Add', [b.op('Mul', [dx, dx]), b.op('Mul', [dy, dy])]);
  const seedDist = b.unsqueeze(b.op('Sqrt', [r2]), [1]);

  // 8·(t − d) − 4·relu(r − R), with the products taken on the [P, 1, N] maps (full-size
  // [P, K, N] ops dominate the run time).
  const tol8 = b.floats(tokens.map((t) => LOGIT_SLOPE * t.tolerance), [1, K, 1]);
  const rad4 = b.floats(tokens.map((t) => WINDOW_FALLOFF * t.radius), [1, K, 1]);
  const colourTerm = b.op('Sub', [tol8, b.op('Mul', [colourDist, b.scalar(LOGIT_SLOPE)])]);
  const windowTerm = b.op('Relu', [b.op('Sub', [b.op('Mul', [seedDist, b.scalar(WINDOW_FALLOFF)]), rad4])]);
  return { logits: b.op('Sub', [colourTerm, windowTerm]), colourDist, seedDist };
}

/** Σ over the last axis of a boolean map, as float. */
function count(b: GraphBuilder, x: string): string {
  return b.reduceSum(b.toFloat(x), [-1], 0);
}

/** Predicted IoU [P, K] of final logits [P, K, 65536]. Boolean intermediates keep it cheap. */
function predictedIou(b: GraphBuilder, maps: LogitMaps, tokens: readonly MaskToken[]): string {
  const K = tokens.length;
  const tol = b.floats(tokens.map((t) => t.tolerance), [1, K, 1]);
  const rad = b.floats(tokens.map((t) => t.radius), [1, K, 1]);
  const inner = b.floats(tokens.map((t) => t.radius - RING_WIDTH), [1, K, 1]);
  const ring = b.op('And', [b.op('Greater', [maps.seedDist, inner]), b.op('LessOrEqual', [maps.seedDist, rad])]);
  const seedColoured = b.op('Less', [maps.colourDist, tol]);
  const leak = b.op('Div', [count(b, b.op('And', [ring, seedColoured])), b.op('Max', [count(b, ring), b.scalar(1)])]);

  const mask = b.op('Greater', [maps.logits, b.scalar(0)]);
  const area = count(b, mask);
  // A cell is interior when it and its 4 neighbours are in the mask; border cells never are
  // (their outside neighbour counts as empty), so only the 254×254 core is examined.
  const grid = b.reshape(mask, [-1, GRID, GRID]);
  const shifted = (dy: number, dx: number) =>
    b.op('Slice', [grid, b.ints([1 + dy, 1 + dx]), b.ints([GRID - 1 + dy, GRID - 1 + dx]), b.ints([1, 2])]);
  let interiorCells = shifted(0, 0);
  for (const [dy, dx] of [[0, -1], [0, 1], [-1, 0], [1, 0]]) interiorCells = b.op('And', [interiorCells, shifted(dy, dx)]);
  const perMask = b.op('Concat', [b.op('Shape', [maps.logits], { end: 2 }), b.ints([-1])], { axis: 0 });
  const interior = b.op('Div', [count(b, b.op('Reshape', [interiorCells, perMask])), b.op('Max', [area, b.scalar(1)])]);

  const bias = b.floats(tokens.map((t) => t.bias), [1, K]);
  const z = b.op('Add', [
    b.op('Sub', [
      b.op('Sub', [b.scalar(IOU_LOGIT.base), b.op('Mul', [leak, b.scalar(IOU_LOGIT.leak)])]),
      b.op('Mul', [b.op('Sub', [b.scalar(1), interior]), b.scalar(IOU_LOGIT.compact)]),
    ]),
    bias,
  ]);
  return b.op('Sigmoid', [z]);
}

/** Σ w·p / max(Σ w, ε) over the points axis: points [..., N, 2], weights [..., N] → [..., 2]. */
function weightedSeed(b: GraphBuilder, points: string, weights: string, axis: number): string {
  const num = b.reduceSum(b.op('Mul', [points, b.unsqueeze(weights, [-1])]), [axis], 0);
  const den = b.op('Max', [b.reduceSum(weights, [axis], 0), b.scalar(1e-6)]);
  return b.reshape(b.op('Div', [num, b.unsqueeze(den, [-1])]), [-1, 2]);
}

/** Positive points count 1, box corners (labels 2, 3) ½ each; negatives and padding (−1) are ignored. */
function promptWeights(b: GraphBuilder, labels: string, one: string, two: string, three: string): string {
  const is = (v: string) => b.toFloat(b.op('Equal', [labels, v]));
  return b.op('Add', [is(one), b.op('Mul', [b.op('Add', [is(two), is(three)]), b.scalar(0.5)])]);
}

function colourMap(b: GraphBuilder, emb0: string): string {
  return b.reshape(b.op('Slice', [emb0, b.ints([0]), b.ints([3]), b.ints([1])]), [3, CELLS]);
}

export interface Sam2StandinOptions {
  /** 3 = the public exports (multimask tokens 1..3); 4 = also token 0, first. */
  maskTokens?: 3 | 4;
  /** Format A prompt axis: symbolic (default) or fixed at 1 like some third-party exports. */
  pointBatch?: 'dynamic' | 1;
}

function tokensFor(opts: Sam2StandinOptions): readonly MaskToken[] {
  return (opts.maskTokens ?? 3) === 4 ? MASK_TOKENS : MASK_TOKENS.slice(1);
}

/** Format A (onnx-community / transformers.js): `vision_encoder.onnx`. */
export function sam2EncoderA(externalDataFile?: string): EncodedModel {
  return buildEncoder('sam2_vision_encoder_standin', {
    input: 'pixel_values',
    outputs: ['image_embeddings.0', 'image_embeddings.1', 'image_embeddings.2'],
    batch: 'batch_size',
  }).encode({ externalDataFile, externalMinBytes: 256, docString: 'refseg stand-in' });
}

/**
 * Format A `prompt_encoder_mask_decoder.onnx`. Like the HF graph (which pads only when no box
 * input exists, and the export always has one), it does NOT append SAM's padding point: callers
 * pass it. The stand-in supports batch 1 and at most one box per call.
 */
export function sam2DecoderA(opts: Sam2StandinOptions = {}): EncodedModel {
  const tokens = tokensFor(opts);
  const K = tokens.length;
  const b = new GraphBuilder('sam2_prompt_encoder_mask_decoder_standin');
  const P = opts.pointBatch === 1 ? 1 : 'point_batch_size';
  const points = b.input('input_points', FLOAT, ['batch_size', P, 'num_points', 2]);
  const labels = b.input('input_labels', INT64, ['batch_size', P, 'num_points']);
  const boxes = b.input('input_boxes', FLOAT, ['batch_size', 'num_boxes', 4]);
  const emb0 = b.input('image_embeddings.0', FLOAT, ['batch_size', 32, 256, 256]);
  b.input('image_embeddings.1', FLOAT, ['batch_size', 64, 128, 128]);
  b.input('image_embeddings.2', FLOAT, ['batch_size', 256, 64, 64]);

  const pointW = promptWeights(b, labels, b.ints([1], []), b.ints([2], []), b.ints([3], []));
  // The (single) box becomes two corner pseudo-points of weight ½ on every prompt of the batch.
  const promptAxis = b.op('Slice', [b.op('Shape', [points]), b.ints([1]), b.ints([2])]);
  const cornerShape = b.op('Concat', [b.ints([1]), promptAxis, b.ints([2, 2])], { axis: 0 });
  const corners = b.op('Expand', [b.reshape(b.reduceSum(boxes, [1]), [1, 1, 2, 2]), cornerShape]);
  const nBoxes = b.op('Gather', [b.op('Shape', [boxes]), b.ints([1], [])], { axis: 0 });
  const hasBox = b.op('Min', [b.op('Cast', [nBoxes], { to: FLOAT }), b.scalar(1)]);
  const cornerW = b.op('Expand', [
    b.op('Mul', [hasBox, b.scalar(0.5)]),
    b.op('Concat', [b.ints([1]), promptAxis, b.ints([2])], { axis: 0 }),
  ]);
  const seeds = weightedSeed(
    b,
    b.op('Concat', [points, corners], { axis: 2 }),
    b.op('Concat', [pointW, cornerW], { axis: 2 }),
    2,
  );

  const maps = colourLogits(b, seeds, colourMap(b, emb0), tokens);
  const iou = predictedIou(b, maps, tokens);
  // Output shapes built from the input's batch dim (not a constant 1) keep `batch_size` symbolic.
  const batch = b.op('Slice', [b.op('Shape', [points]), b.ints([0]), b.ints([1])]);
  const withBatch = (x: string, rest: number[]) => b.op('Reshape', [x, b.op('Concat', [batch, b.ints(rest)], { axis: 0 })]);
  b.output('iou_scores', withBatch(iou, [-1, K]), FLOAT, ['batch_size', P, K]);
  b.output('pred_masks', withBatch(maps.logits, [-1, K, GRID, GRID]), FLOAT, ['batch_size', P, K, GRID, GRID]);
  const scoreShape = b.op('Concat', [batch, promptAxis, b.ints([1])], { axis: 0 });
  b.output(
    'object_score_logits',
    b.op('Expand', [b.scalar(OBJECT_SCORE), scoreShape]),
    FLOAT,
    ['batch_size', P, 1],
  );
  return b.encode({ docString: 'refseg stand-in' });
}

/** Format B (samexporter): `encoder.onnx`, static batch 1. */
export function sam2EncoderB(): EncodedModel {
  return buildEncoder('sam2_encoder_standin', {
    input: 'image',
    outputs: ['high_res_feats_0', 'high_res_feats_1', 'image_embed'],
    batch: 1,
  }).encode({ docString: 'refseg stand-in' });
}

/**
 * Format B `decoder.onnx`. Like samexporter's graph it appends the padding point (0, 0) with
 * label −1 itself, takes float labels, adds `mask_input` when `has_mask_input` is 1 and clamps
 * the logits to ±32.
 */
export function sam2DecoderB(opts: Sam2StandinOptions = {}): EncodedModel {
  const tokens = tokensFor(opts);
  const K = tokens.length;
  const b = new GraphBuilder('sam2_decoder_standin');
  b.input('image_embed', FLOAT, [1, 256, 64, 64]);
  const emb0 = b.input('high_res_feats_0', FLOAT, [1, 32, 256, 256]);
  b.input('high_res_feats_1', FLOAT, [1, 64, 128, 128]);
  const coords = b.input('point_coords', FLOAT, ['num_labels', 'num_points', 2]);
  const labels = b.input('point_labels', FLOAT, ['num_labels', 'num_points']);
  const maskInput = b.input('mask_input', FLOAT, ['num_labels', 1, 256, 256]);
  const hasMask = b.input('has_mask_input', FLOAT, ['num_labels']);

  const L = b.op('Slice', [b.op('Shape', [coords]), b.ints([0]), b.ints([1])]);
  const padPoint = b.op('ConstantOfShape', [b.op('Concat', [L, b.ints([1, 2])], { axis: 0 })]);
  const padLabel = b.op('Expand', [b.scalar(-1), b.op('Concat', [L, b.ints([1])], { axis: 0 })]);
  const allPoints = b.op('Concat', [coords, padPoint], { axis: 1 });
  const allLabels = b.op('Concat', [labels, padLabel], { axis: 1 });
  const w = promptWeights(b, allLabels, b.scalar(1), b.scalar(2), b.scalar(3));
  const seeds = weightedSeed(b, allPoints, w, 1);

  const maps = colourLogits(b, seeds, colourMap(b, emb0), tokens);
  const prior = b.op('Mul', [b.reshape(maskInput, [-1, 1, CELLS]), b.reshape(hasMask, [-1, 1, 1])]);
  const logits = b.op('Clip', [b.op('Add', [maps.logits, prior]), b.scalar(-32), b.scalar(32)]);
  const iou = predictedIou(b, { ...maps, logits }, tokens);
  b.output('masks', b.reshape(logits, [-1, K, GRID, GRID]), FLOAT, ['num_labels', K, GRID, GRID]);
  b.output('iou_predictions', iou, FLOAT, ['num_labels', K]);
  return b.encode({ docString: 'refseg stand-in' });
}

