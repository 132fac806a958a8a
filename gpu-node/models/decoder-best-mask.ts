// The first post-decoder steps appended to samexporter's SAM2 decoder (issue 12, target 2: less
// leaves the device). The official pipeline keeps, per prompt, only the multimask output with the
// highest predicted IoU (first on ties: `argmax`), then reads its 256-grid mask (logit > 0), area
// and inclusive box (spec/method.md §3.3–3.5). Run inside the graph, a GPU node copies one plane
// per prompt plus four numbers instead of three planes:
//   best_logits [L, 256, 256] float32, best_iou [L], best_area [L] (cells with logit > 0),
//   best_box [L, 4] int64 inclusive x0, y0, x1, y1 ([0, 0, 0, 0] for an empty mask).
// With `filter`, the graph takes the official IoU threshold as a float scalar input
// (`refseg_iou_threshold`, kept when iou > threshold, strictly, compared in float32 as torch does)
// and returns only the kept prompts, plus `best_prompt` [K] int64: their indices in the batch.
// With `compact` (which implies `filter`), `best_logits` is replaced by what the host needs to
// rebuild every decision it makes from those logits, exactly:
//   best_sign [K, 256, 32] uint8: logit > 0 of each cell, 8 cells a byte (bit b of byte j = x 8j+b);
//   edge_cell [E] int32 (flat index into [K, 256, 256]) and edge_logit [E] float32: the true
//   logits of the cells that have a cell of the other sign within (refseg_edge_radius) [ry, rx].
// The host's decisions read only signs (mask, area, box, pooling) except the full-resolution
// resize, whose output pixel is interpolated only where its input window is mixed
// (shared/matching/fullres-mask.ts); every cell of such a window lies within the window's span of
// a cell of the other sign, so with the radius set to that span (shared/matching's edgeRadius) a plane rebuilt as
// ±1 with the edge logits written over it gives the same masks as the real logits.
// The compact graph also pools the target's patch features (FEATURES_INPUT, [rows·cols, D]) over
// each kept mask as one matrix product (method.md §3.4 step 3's cheaper form):
//   best_embedding [K, D] = normalise((Ayᵀ·B·Ax)[K, rows·cols] × F / area),
// with Ay, Ax torch's antialiased bilinear 256×rows and 256×cols matrices as constants, so the
// host gets K×D floats instead of pooling; an empty mask gives a NaN row (officially the same).
import onnxProto from 'onnx-proto';
import type { ModelSource } from './backend.ts';
import { graphOf } from './graph-file.ts';
import type { GraphFile } from './graph-source.ts';
import { externalDataFiles } from './graph-patch.ts';
import { bilinearAaAxis } from '../../shared/resample/index.ts';

const LOW_RES = 256;

const { onnx } = onnxProto;
type INodeProto = onnxProto.onnx.INodeProto;
const T = onnx.AttributeProto.AttributeType;

const PREFIX = 'refseg_best/';
export const BEST_OUTPUTS = ['best_logits', 'best_iou', 'best_area', 'best_box'] as const;
export const THRESHOLD_INPUT = 'refseg_iou_threshold';
export const RADIUS_INPUT = 'refseg_edge_radius';
export const FEATURES_INPUT = 'refseg_patch_features';
export const COMPACT_OUTPUTS = ['best_iou', 'best_prompt', 'best_sign', 'edge_cell', 'edge_logit', 'best_embedding'] as const;

function node(opType: string, inputs: string[], output: string, attrs: onnxProto.onnx.IAttributeProto[] = []): INodeProto {
  return { opType, name: PREFIX + output, input: inputs, output: [output], attribute: attrs };
}
const int = (name: string, i: number) => ({ name, type: T.INT, i });
const ints = (name: string, v: number[]) => ({ name, type: T.INTS, ints: v });

function int64Const(name: string, values: number[]): INodeProto {
  const raw = new Uint8Array(new BigInt64Array(values.map(BigInt)).buffer);
  return node('Constant', [], name, [{ name: 'value', type: T.TENSOR, t: { dims: [values.length], dataType: onnx.TensorProto.DataType.INT64, rawData: raw } }]);
}

function int64Scalar(name: string, v: number): INodeProto {
  const raw = new Uint8Array(new BigInt64Array([BigInt(v)]).buffer);
  return node('Constant', [], name, [{ name: 'value', type: T.TENSOR, t: { dims: [], dataType: onnx.TensorProto.DataType.INT64, rawData: raw } }]);
}

function floatScalar(name: string, v: number): INodeProto {
  return node('Constant', [], name, [{ name: 'value', type: T.TENSOR, t: { dims: [], dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(new Float32Array([v]).buffer) } }]);
}

/**
 * The decoder with the best-of-3 selection, mask area and box appended, its outputs replaced by
 * BEST_OUTPUTS (`keepOriginal` keeps `masks` and `iou_predictions` too, for checks).
 * `masks` / `iou` name the decoder's [L, 3, 256, 256] logits and [L, 3] IoUs.
 */
export function appendBestMask(
  modelBytes: Uint8Array,
  opts: { masks?: string; iou?: string; keepOriginal?: boolean; filter?: boolean; compact?: boolean; patchGrid?: { rows: number; cols: number } } = {},
): Uint8Array {
  const masks = opts.masks ?? 'masks';
  const iou = opts.iou ?? 'iou_predictions';
  const model = onnx.ModelProto.decode(modelBytes);
  const graph = model.graph!;
  const p = (s: string) => PREFIX + s;
  const added: INodeProto[] = [
    // Index of the best of the three, first on ties (ONNX ArgMax's default, like torch.argmax).
    node('ArgMax', [iou], p('index'), [int('axis', 1), int('keepdims', 1)]),
    node('GatherElements', [iou, p('index')], p('iou2'), [int('axis', 1)]),
    node('Squeeze', [p('iou2'), p('axis1')], 'best_iou'),
    int64Const(p('axis1'), [1]),
    int64Const(p('plane'), [1, 1, 256, 256]),
    int64Const(p('axes12'), [1, 2]),
    node('Unsqueeze', [p('index'), p('axes23')], p('index4')),
    int64Const(p('axes23'), [2, 3]),
    node('Expand', [p('index4'), p('plane')], p('index_plane')),
    node('GatherElements', [masks, p('index_plane')], p('logits4'), [int('axis', 1)]),
    node('Squeeze', [p('logits4'), p('axis1')], 'best_logits'),
    floatScalar(p('zero'), 0),
    node('Greater', ['best_logits', p('zero')], p('positive')),
    node('Cast', [p('positive')], p('cells'), [int('to', onnx.TensorProto.DataType.FLOAT)]),
    node('ReduceSum', [p('cells'), p('axes12')], 'best_area', [int('keepdims', 0)]),
    // Columns and rows that hold a positive cell; their first and last indices make the box.
    node('ReduceMax', [p('cells')], p('columns'), [ints('axes', [1]), int('keepdims', 0)]),
    node('ReduceMax', [p('cells')], p('rows'), [ints('axes', [2]), int('keepdims', 0)]),
    node('ArgMax', [p('columns')], p('x0'), [int('axis', 1), int('keepdims', 1)]),
    node('ArgMax', [p('rows')], p('y0'), [int('axis', 1), int('keepdims', 1)]),
    node('ArgMax', [p('columns')], p('x1'), [int('axis', 1), int('keepdims', 1), int('select_last_index', 1)]),
    node('ArgMax', [p('rows')], p('y1'), [int('axis', 1), int('keepdims', 1), int('select_last_index', 1)]),
    node('Concat', [p('x0'), p('y0'), p('x1'), p('y1')], p('box_any'), [int('axis', 1)]),
    // An empty mask has no box: ArgMax would say (0, 0, 255, 255).
    node('Greater', ['best_area', p('zero')], p('nonempty'), []),
    node('Unsqueeze', [p('nonempty'), p('axis1')], p('nonempty2')),
    node('Cast', [p('nonempty2')], p('nonempty64'), [int('to', onnx.TensorProto.DataType.INT64)]),
    node('Mul', [p('box_any'), p('nonempty64')], 'best_box'),
  ];
  const F = onnx.TensorProto.DataType.FLOAT;
  const I = onnx.TensorProto.DataType.INT64;
  const out = (name: string, elemType: number) => ({ name, type: { tensorType: { elemType } } });
  const outputs = [out('best_logits', F), out('best_iou', F), out('best_area', F), out('best_box', I)];
  if (opts.filter || opts.compact) {
    // Rename the per-prompt values, then keep the rows whose IoU is above the threshold.
    const rename = new Map(BEST_OUTPUTS.map((o) => [o, p(`all_${o}`)]));
    for (const n of added) {
      n.input = (n.input ?? []).map((i) => rename.get(i as (typeof BEST_OUTPUTS)[number]) ?? i);
      n.output = (n.output ?? []).map((o) => rename.get(o as (typeof BEST_OUTPUTS)[number]) ?? o);
    }
    added.push(
      node('Greater', [p('all_best_iou'), THRESHOLD_INPUT], p('kept')),
      node('NonZero', [p('kept')], p('kept_rows')),
      int64Const(p('axis0'), [0]),
      node('Squeeze', [p('kept_rows'), p('axis0')], 'best_prompt'),
      ...BEST_OUTPUTS.map((o) => ({ ...node('Gather', [p(`all_${o}`), 'best_prompt'], o, [int('axis', 0)]), name: p(`keep_${o}`) })),
    );
    graph.input = [...(graph.input ?? []), { name: THRESHOLD_INPUT, type: { tensorType: { elemType: F, shape: { dim: [] } } } }];
    outputs.push(out('best_prompt', I));
  }
  if (opts.compact) {
    const grid = opts.patchGrid ?? { rows: 37, cols: 37 };
    added.push(...compaction(), ...pooling(grid.rows, grid.cols));
    graph.input = [
      ...(graph.input ?? []),
      { name: RADIUS_INPUT, type: { tensorType: { elemType: I, shape: { dim: [{ dimValue: 2 }] } } } },
      { name: FEATURES_INPUT, type: { tensorType: { elemType: F, shape: { dim: [{ dimValue: grid.rows * grid.cols }, { dimParam: 'D' }] } } } },
    ];
    outputs.splice(0, 1);
    outputs.push(out('best_sign', onnx.TensorProto.DataType.UINT8), out('edge_cell', onnx.TensorProto.DataType.INT32), out('edge_logit', F), out('best_embedding', F));
  }
  graph.node = [...(graph.node ?? []), ...added.filter((n) => n.opType === 'Constant'), ...added.filter((n) => n.opType !== 'Constant')];
  graph.output = [...(opts.keepOriginal ? (graph.output ?? []) : []), ...outputs];
  return onnx.ModelProto.encode(model).finish();
}

/**
 * Cells of `best_logits` [K, 256, 256] within [ry, rx] (RADIUS_INPUT) of a cell of the other
 * sign, by window counts of the positive and the non-positive cells (a CumSum per axis, so the
 * cost does not grow with the radius), and the packed signs.
 */
function compaction(): INodeProto[] {
  const p = (s: string) => PREFIX + s;
  const F = onnx.TensorProto.DataType.FLOAT;
  const nodes: INodeProto[] = [
    node('Greater', ['best_logits', p('zero')], p('c_positive')),
    node('Cast', [p('c_positive')], p('c_pos'), [int('to', F)]),
    node('Not', [p('c_positive')], p('c_nonpositive')),
    node('Cast', [p('c_nonpositive')], p('c_neg'), [int('to', F)]),
    int64Const(p('c_zero1'), [0]),
    int64Const(p('c_one1'), [1]),
    int64Const(p('c_side1'), [256]),
    ...[0, 1].map((i) => node('Slice', [RADIUS_INPUT, int64Name(i), int64Name(i + 1)], p(`c_r${i}`))),
    int64Const(p('c_i0'), [0]),
    int64Const(p('c_i1'), [1]),
    int64Const(p('c_i2'), [2]),
  ];
  function int64Name(i: number): string {
    return p(`c_i${i}`);
  }
  // Window sum along `axis` (1: y, radius index 0; 2: x, radius index 1) of [K, 256, 256] `x`.
  const windowSum = (x: string, axis: 1 | 2, tag: string): string => {
    const r = p(`c_r${axis - 1}`);
    const q = (s: string) => p(`c_${tag}${axis}_${s}`);
    const padsBefore = axis === 1 ? [p('c_zero1'), q('r1'), p('c_zero1')] : [p('c_zero1'), p('c_zero1'), q('r1')];
    const padsAfter = axis === 1 ? [p('c_zero1'), r, p('c_zero1')] : [p('c_zero1'), p('c_zero1'), r];
    nodes.push(
      node('Add', [r, p('c_one1')], q('r1')),
      node('Concat', [...padsBefore, ...padsAfter], q('pads'), [int('axis', 0)]),
      node('Pad', [x, q('pads')], q('padded')),
      int64Const(q('axis'), [axis]),
      int64Scalar(q('axis0d'), axis),
      node('CumSum', [q('padded'), q('axis0d')], q('cum')),
      node('Add', [r, q('r1')], q('from')),
      node('Add', [q('from'), p('c_side1')], q('to')),
      node('Slice', [q('cum'), q('from'), q('to'), q('axis')], q('upper')),
      node('Slice', [q('cum'), p('c_zero1'), p('c_side1'), q('axis')], q('lower')),
      node('Sub', [q('upper'), q('lower')], q('sum')),
    );
    return q('sum');
  };
  const nearPositive = windowSum(windowSum(p('c_pos'), 2, 'pos'), 1, 'pos');
  const nearOther = windowSum(windowSum(p('c_neg'), 2, 'neg'), 1, 'neg');
  nodes.push(
    node('Greater', [nearPositive, p('zero')], p('c_has_pos')),
    node('Greater', [nearOther, p('zero')], p('c_has_neg')),
    node('And', [p('c_has_pos'), p('c_has_neg')], p('c_edge')),
    int64Const(p('c_flat'), [-1]),
    node('Reshape', [p('c_edge'), p('c_flat')], p('c_edge_flat')),
    node('NonZero', [p('c_edge_flat')], p('c_edge_rows')),
    node('Squeeze', [p('c_edge_rows'), p('axis0')], p('c_edge_index')),
    node('Cast', [p('c_edge_index')], 'edge_cell', [int('to', onnx.TensorProto.DataType.INT32)]),
    node('Reshape', ['best_logits', p('c_flat')], p('c_logits_flat')),
    node('Gather', [p('c_logits_flat'), p('c_edge_index')], 'edge_logit', [int('axis', 0)]),
    // 8 cells a byte: weights 1, 2, …, 128 along x, summed exactly in float32.
    int64Const(p('c_bytes'), [0, 256, 32, 8]),
    node('Reshape', [p('c_pos'), p('c_bytes')], p('c_octets')),
    { ...node('Constant', [], p('c_bit_weights'), [{ name: 'value', type: T.TENSOR, t: { dims: [8], dataType: F, rawData: new Uint8Array(new Float32Array([1, 2, 4, 8, 16, 32, 64, 128]).buffer) } }]) },
    node('Mul', [p('c_octets'), p('c_bit_weights')], p('c_weighted')),
    int64Const(p('c_axis3'), [3]),
    node('ReduceSum', [p('c_weighted'), p('c_axis3')], p('c_byte_values'), [int('keepdims', 0)]),
    node('Cast', [p('c_byte_values')], 'best_sign', [int('to', onnx.TensorProto.DataType.UINT8)]),
  );
  return nodes;
}

function floatMatrix(name: string, dims: [number, number], values: Float32Array): INodeProto {
  return node('Constant', [], name, [{ name: 'value', type: T.TENSOR, t: { dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(values.buffer.slice(0)) } }]);
}

/** torch's antialiased bilinear `n` → 256 as a dense 256×n matrix (row: grid position, column: cell). */
function upsampleMatrix(n: number): Float32Array {
  const axis = bilinearAaAxis(n, LOW_RES);
  const m = new Float32Array(LOW_RES * n);
  for (let x = 0; x < LOW_RES; x++) {
    for (let j = 0; j < axis.size[x]; j++) m[x * n + axis.start[x] + j] = axis.weights[x * axis.maxSize + j];
  }
  return m;
}

/** best_embedding from the kept masks' cells (c_pos), their areas and the patch features. */
function pooling(rows: number, cols: number): INodeProto[] {
  const p = (s: string) => PREFIX + s;
  // (Ayᵀ·B·Ax)ᵀ = (B·Ax)ᵀ·Ay, as 2-D products (onnxruntime's batched MatMul refuses a batch of 0
  // kept masks), transposed back to the features' row-major order.
  return [
    floatMatrix(p('p_ax'), [LOW_RES, cols], upsampleMatrix(cols)),
    floatMatrix(p('p_ay'), [LOW_RES, rows], upsampleMatrix(rows)),
    int64Const(p('p_cells'), [0, rows * cols]),
    floatScalar(p('p_eps'), 1e-12),
    node('MatMul', [p('c_pos'), p('p_ax')], p('p_bx')),
    node('Transpose', [p('p_bx')], p('p_bxT'), [ints('perm', [0, 2, 1])]),
    int64Const(p('p_rows2d'), [-1, LOW_RES]),
    int64Const(p('p_back3d'), [-1, cols, rows]),
    node('Reshape', [p('p_bxT'), p('p_rows2d')], p('p_bxT2')),
    node('MatMul', [p('p_bxT2'), p('p_ay')], p('p_wT2')),
    node('Reshape', [p('p_wT2'), p('p_back3d')], p('p_wT')),
    node('Transpose', [p('p_wT')], p('p_w'), [ints('perm', [0, 2, 1])]),
    node('Reshape', [p('p_w'), p('p_cells')], p('p_w_flat')),
    node('MatMul', [p('p_w_flat'), FEATURES_INPUT], p('p_sum')),
    node('Unsqueeze', ['best_area', p('axis1')], p('p_area')),
    node('Div', [p('p_sum'), p('p_area')], p('p_mean')),
    node('ReduceL2', [p('p_mean')], p('p_norm'), [ints('axes', [1]), int('keepdims', 1)]),
    node('Max', [p('p_norm'), p('p_eps')], p('p_floor')),
    node('Div', [p('p_mean'), p('p_floor')], 'best_embedding'),
  ];
}

/** What became of the post-decoder steps: in the graph, kept on the host on request, or not applicable to the graph. */
export type BestMask = 'applied' | 'off' | 'none';

/** Rank of a graph output's declared shape, or undefined when it has none. */
function outputRank(graph: onnxProto.onnx.IGraphProto, name: string): number | undefined {
  const o = (graph.output ?? []).find((v) => v.name === name);
  return o?.type?.tensorType?.shape?.dim?.length;
}

/**
 * `source` with the compact post-decoder steps appended (the original outputs kept, so one
 * session serves both), when the decoder returns samexporter's [L, 3, 256, 256] `masks` and
 * [L, 3] `iou_predictions`; else unchanged with `none` (the onnx-community export returns
 * [B, L, 3, 256, 256] with the prompts on axis 1, which this surgery does not handle).
 */
export async function bestMaskSource(source: ModelSource, file: string | GraphFile): Promise<{ source: ModelSource; bestMask: BestMask }> {
  const bytes = typeof source.model === 'string' ? await graphOf(source.model).bytes() : source.model;
  const graph = onnx.ModelProto.decode(bytes).graph;
  if (!graph || outputRank(graph, 'masks') !== 4 || outputRank(graph, 'iou_predictions') !== 2) return { source, bestMask: 'none' };
  const model = appendBestMask(bytes, { compact: true, keepOriginal: true });
  if (source.externalData) return { source: { model, externalData: source.externalData }, bestMask: 'applied' };
  return { source: (await graphOf(file).patchedSource(model, externalDataFiles(graph))).source, bestMask: 'applied' };
}
