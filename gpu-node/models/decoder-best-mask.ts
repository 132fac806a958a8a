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
// Not yet used by the runner: the pipeline still reads all three planes (see the report of
// issue 12); this module and its test are the graph half.
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
type INodeProto = onnxProto.onnx.INodeProto;
const T = onnx.AttributeProto.AttributeType;

const PREFIX = 'refseg_best/';
export const BEST_OUTPUTS = ['best_logits', 'best_iou', 'best_area', 'best_box'] as const;
export const THRESHOLD_INPUT = 'refseg_iou_threshold';

function node(opType: string, inputs: string[], output: string, attrs: onnxProto.onnx.IAttributeProto[] = []): INodeProto {
  return { opType, name: PREFIX + output, input: inputs, output: [output], attribute: attrs };
}
const int = (name: string, i: number) => ({ name, type: T.INT, i });
const ints = (name: string, v: number[]) => ({ name, type: T.INTS, ints: v });

function int64Const(name: string, values: number[]): INodeProto {
  const raw = new Uint8Array(new BigInt64Array(values.map(BigInt)).buffer);
  return node('Constant', [], name, [{ name: 'value', type: T.TENSOR, t: { dims: [values.length], dataType: onnx.TensorProto.DataType.INT64, rawData: raw } }]);
}

function floatScalar(name: string, v: number): INodeProto {
  return node('Constant', [], name, [{ name: 'value', type: T.TENSOR, t: { dims: [], dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(new Float32Array([v]).buffer) } }]);
}

/**
 * The decoder with the best-of-3 selection, mask area and box appended, its outputs replaced by
 * BEST_OUTPUTS (`keepOriginal` keeps `masks` and `iou_predictions` too, for checks).
 * `masks` / `iou` name the decoder's [L, 3, 256, 256] logits and [L, 3] IoUs.
 */
export function appendBestMask(modelBytes: Uint8Array, opts: { masks?: string; iou?: string; keepOriginal?: boolean; filter?: boolean } = {}): Uint8Array {
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
  if (opts.filter) {
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
  graph.node = [...(graph.node ?? []), ...added.filter((n) => n.opType === 'Constant'), ...added.filter((n) => n.opType !== 'Constant')];
  graph.output = [...(opts.keepOriginal ? (graph.output ?? []) : []), ...outputs];
  return onnx.ModelProto.encode(model).finish();
}
