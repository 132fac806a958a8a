// FLOPs of an ONNX graph from its nodes and the shapes they actually see: every node output is
// made a graph output, the graph runs once (optimisations off, so the nodes are the exported
// ones) and each node's cost follows from its op type and the shapes of its inputs and outputs.
// Run at L = 1 and L = 2 prompts, the difference is the per-prompt cost and the rest runs once
// per call (per image).
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

const size = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

/** Groups a node by what it belongs to, from the exporter's scoped names. */
export type GroupOf = (node: { name: string; opType: string }) => string;

export interface FlopCount {
  /** FLOPs by group (multiply-add = 2). */
  byGroup: Map<string, number>;
  total: number;
}

/** Multiply-adds ×2 for MatMul/Gemm/Conv/ConvTranspose; one FLOP per output element otherwise. */
function nodeFlops(op: string, inputs: (readonly number[] | undefined)[], out: readonly number[]): number {
  const a = inputs[0];
  const w = inputs[1];
  switch (op) {
    case 'MatMul':
    case 'Gemm':
      return 2 * size(out) * (a ? a[a.length - 1] : 0);
    case 'Conv':
      return w ? 2 * size(out) * size(w.slice(1)) : 0;
    case 'ConvTranspose':
      // Every input element is multiplied into a Cout/group × kh × kw patch.
      return a && w ? 2 * size(a) * size(w.slice(1)) : 0;
    case 'Shape':
    case 'Constant':
    case 'ConstantOfShape':
    case 'Reshape':
    case 'Unsqueeze':
    case 'Squeeze':
    case 'Identity':
    case 'Gather':
    case 'Slice':
    case 'Concat':
    case 'Cast':
    case 'Split':
      return 0;
    default:
      return size(out);
  }
}

/** Counts the FLOPs of `modelBytes` run on `feeds`. */
export async function countFlops(modelBytes: Uint8Array, feeds: Record<string, ort.Tensor>, groupOf: GroupOf): Promise<FlopCount> {
  const model = onnx.ModelProto.decode(modelBytes);
  const graph = model.graph!;
  const declared = new Set((graph.output ?? []).map((o) => o.name));
  for (const n of graph.node ?? []) {
    if (n.opType === 'Constant') continue;
    for (const o of n.output ?? []) if (o && !declared.has(o)) graph.output!.push({ name: o });
  }
  const session = await ort.InferenceSession.create(onnx.ModelProto.encode(model).finish(), { graphOptimizationLevel: 'disabled', intraOpNumThreads: 2 });
  try {
    const values = await session.run(feeds);
    const shapes = new Map<string, readonly number[]>();
    for (const [k, t] of Object.entries(feeds)) shapes.set(k, t.dims);
    for (const [k, t] of Object.entries(values)) shapes.set(k, t.dims);
    for (const t of graph.initializer ?? []) shapes.set(t.name ?? '', (t.dims ?? []).map(Number));
    const byGroup = new Map<string, number>();
    let total = 0;
    for (const n of graph.node ?? []) {
      const out = shapes.get(n.output?.[0] ?? '');
      if (!out || n.opType === 'Constant') continue;
      const f = nodeFlops(n.opType ?? '', (n.input ?? []).map((i) => shapes.get(i)), out);
      if (f === 0) continue;
      const g = groupOf({ name: n.name ?? '', opType: n.opType ?? '' });
      byGroup.set(g, (byGroup.get(g) ?? 0) + f);
      total += f;
    }
    return { byGroup, total };
  } finally {
    await session.release();
  }
}

/** Per-prompt and once-per-call FLOPs from counts at L = 1 and L = 2. */
export function perPrompt(one: FlopCount, two: FlopCount): { group: string; perPrompt: number; perCall: number }[] {
  const groups = new Set([...one.byGroup.keys(), ...two.byGroup.keys()]);
  return [...groups].map((group) => {
    const f1 = one.byGroup.get(group) ?? 0;
    const f2 = two.byGroup.get(group) ?? 0;
    return { group, perPrompt: f2 - f1, perCall: 2 * f1 - f2 };
  });
}
