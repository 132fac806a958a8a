// Graph surgery that turns one SAM2 encoder export into the other shapes the same encoder is
// published in (issue 9 §2), so the no_mem_embed removal is tested on each: operands swapped, the
// vector as a Constant node, an fp16 export (fp16 tensors, fp32 graph input/outputs, a Cast
// between an fp32 parameter and the Add, or the vector itself in fp16), an opset-18 export with
// exporter-chosen names, and two simplified graphs (shape subgraphs folded to constants as
// onnxsim does; the whole flatten / transpose / add / transpose / reshape chain folded to one Add
// on the 4-D map). One more is meant to be unpatchable: the vector folded into the neck
// convolution's bias.
//
// Every variant works on both the real samexporter graph and the layout-A stand-in: both name the
// vector's initializer `no_mem_embed` (found here by that name, independently of the code tested).
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
type IGraphProto = onnxProto.onnx.IGraphProto;
type INodeProto = onnxProto.onnx.INodeProto;
type ITensorProto = onnxProto.onnx.ITensorProto;
type ModelProto = onnxProto.onnx.ModelProto;

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const FLOAT16 = onnx.TensorProto.DataType.FLOAT16;
const INT64 = onnx.TensorProto.DataType.INT64;
const T = onnx.AttributeProto.AttributeType;

export const VARIANTS = ['as-exported', 'swapped', 'constant-node', 'fp16', 'fp16-constant', 'opset18', 'onnxsim-shapes', 'onnxsim-folded'] as const;
export type Variant = (typeof VARIANTS)[number];

export function decode(bytes: Uint8Array): ModelProto {
  return onnx.ModelProto.decode(bytes);
}

export function encode(model: ModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

function nodes(g: IGraphProto): INodeProto[] {
  return (g.node ??= []);
}

function producerOf(g: IGraphProto, tensor: string): INodeProto | undefined {
  return nodes(g).find((n) => (n.output ?? []).includes(tensor));
}

function consumersOf(g: IGraphProto, tensor: string): INodeProto[] {
  return nodes(g).filter((n) => (n.input ?? []).includes(tensor));
}

function initializer(g: IGraphProto, name: string): ITensorProto {
  const t = (g.initializer ?? []).find((i) => i.name === name);
  if (!t) throw new Error(`surgery: no initializer ${name}`);
  return t;
}

/** The Add that adds `no_mem_embed`. */
export function memAdd(g: IGraphProto): INodeProto {
  const add = consumersOf(g, 'no_mem_embed').find((n) => n.opType === 'Add');
  if (!add) throw new Error('surgery: no Add consumes no_mem_embed');
  return add;
}

const LAYOUT = new Set(['Reshape', 'Transpose', 'Identity', 'Squeeze', 'Unsqueeze', 'Flatten', 'Cast']);

/** The 4-D level-2 map before the exporter flattened it for the Add (the neck output). */
export function levelSource(g: IGraphProto): string {
  const add = memAdd(g);
  let name = add.input!.find((i) => i !== 'no_mem_embed')!;
  for (let node = producerOf(g, name); node && LAYOUT.has(node.opType ?? ''); node = producerOf(g, name)) name = node.input![0];
  return name;
}

function floatValues(t: ITensorProto): Float32Array {
  if (t.rawData && t.rawData.length > 0) {
    const raw = t.rawData;
    return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  }
  return Float32Array.from(t.floatData ?? []);
}

/** IEEE half bits of a float, round to nearest even (Node 20 has no Float16Array). */
const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

export function toHalf(x: number): number {
  scratch[0] = x;
  const u = scratchBits[0];
  const sign = (u >>> 16) & 0x8000;
  const exp = (u >>> 23) & 0xff;
  let mant = u & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rest > mid || (rest === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++;
  return sign | half;
}

export function fromHalf(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 0x1f) return m ? Number.NaN : sign * Infinity;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

function halfTensor(t: ITensorProto): void {
  if (t.dataType !== FLOAT) return;
  t.dataType = FLOAT16;
  const values = floatValues(t);
  // Marked (weightless) tensors have no data: only their type changes.
  if (values.length > 0) {
    const half = Uint16Array.from(values, toHalf);
    t.rawData = new Uint8Array(half.buffer);
    t.floatData = [];
  }
}

const FP32_ONLY = new Set(['Range']);

function renameInputs(g: IGraphProto, from: string, to: string): void {
  for (const n of nodes(g)) n.input = (n.input ?? []).map((i) => (i === from ? to : i));
}

/**
 * fp16 export as transformers.js / onnxconverter-common make it (keep_io_types): every float
 * tensor becomes fp16, a Cast after the image input and before each output keeps the graph's I/O
 * float32; `no_mem_embed` becomes fp16 too, or (`castVector`) stays an fp32 parameter behind a
 * Cast to fp16.
 */
function toFp16(g: IGraphProto, castVector: boolean): void {
  for (const t of g.initializer ?? []) if (t.name !== 'no_mem_embed' || !castVector) halfTensor(t);
  for (const n of nodes(g)) {
    for (const a of n.attribute ?? []) {
      if (a.t) halfTensor(a.t);
      if (n.opType === 'Cast' && a.name === 'to' && Number(a.i) === FLOAT) a.i = FLOAT16;
    }
  }
  // Ops without fp16 in the ONNX spec stay fp32 between Casts, as onnxconverter-common's block list does.
  for (const node of nodes(g).filter((n) => FP32_ONLY.has(n.opType ?? ''))) {
    node.input = node.input!.map((input, k) => {
      const cast = `${node.name}_in${k}_fp32`;
      nodes(g).unshift({ name: cast, opType: 'Cast', input: [input], output: [cast], attribute: [{ name: 'to', type: T.INT, i: FLOAT }] });
      return cast;
    });
    const out = node.output![0];
    const inner = `${out}_fp32`;
    node.output = [inner];
    nodes(g).splice(nodes(g).indexOf(node) + 1, 0, { name: `${node.name}_out_fp16`, opType: 'Cast', input: [inner], output: [out], attribute: [{ name: 'to', type: T.INT, i: FLOAT16 }] });
  }
  if (castVector) {
    const add = memAdd(g);
    nodes(g).unshift({ name: 'no_mem_embed_cast', opType: 'Cast', input: ['no_mem_embed'], output: ['no_mem_embed_fp16'], attribute: [{ name: 'to', type: T.INT, i: FLOAT16 }] });
    add.input = add.input!.map((i) => (i === 'no_mem_embed' ? 'no_mem_embed_fp16' : i));
  }
  for (const input of g.input ?? []) {
    const cast = `${input.name}_fp16`;
    renameInputs(g, input.name!, cast);
    nodes(g).unshift({ name: `${input.name}_cast`, opType: 'Cast', input: [input.name!], output: [cast], attribute: [{ name: 'to', type: T.INT, i: FLOAT16 }] });
  }
  for (const output of g.output ?? []) {
    const inner = `${output.name}_fp16`;
    const producer = producerOf(g, output.name!)!;
    producer.output = producer.output!.map((o) => (o === output.name ? inner : o));
    renameInputs(g, output.name!, inner);
    nodes(g).push({ name: `${output.name}_cast`, opType: 'Cast', input: [inner], output: [output.name!], attribute: [{ name: 'to', type: T.INT, i: FLOAT }] });
  }
  g.valueInfo = [];
}

/** Exporters other than torch's TorchScript path name nodes their own way, or not at all. */
function renameLikeAnotherExporter(g: IGraphProto): void {
  for (const n of nodes(g)) n.name = '';
  const mangled = 'p_model_no_mem_embed';
  initializer(g, 'no_mem_embed').name = mangled;
  renameInputs(g, 'no_mem_embed', mangled);
}

/** onnxsim's constant folding: the Reshape targets along the chain become int64 initializers. */
function foldReshapeShapes(g: IGraphProto, output: string, dims: readonly number[]): void {
  const [b, c, h, w] = dims;
  const add = memAdd(g);
  const targets = new Map<INodeProto, number[]>();
  // Before the Add the map is flattened to [B, C, HW]; after it, restored to [B, C, H, W].
  let name = add.input!.find((i) => i !== 'no_mem_embed')!;
  for (let p = producerOf(g, name); p && LAYOUT.has(p.opType ?? ''); p = producerOf(g, name)) {
    if (p.opType === 'Reshape') targets.set(p, [b, c, h * w]);
    name = p.input![0];
  }
  for (let p = producerOf(g, output); p && p !== add; p = producerOf(g, p.input![0])) {
    if (p.opType === 'Reshape') targets.set(p, [b, c, h, w]);
  }
  let k = 0;
  for (const [reshape, target] of targets) {
    const shape = `folded_shape_${k++}`;
    (g.initializer ??= []).push({ name: shape, dataType: INT64, dims: [target.length], int64Data: target });
    reshape.input = [reshape.input![0], shape];
  }
  removeDead(g);
}

/** Drops nodes whose outputs nobody reads, and initializers nobody reads. */
function removeDead(g: IGraphProto): void {
  const outputs = new Set((g.output ?? []).map((o) => o.name));
  for (;;) {
    const read = new Set(nodes(g).flatMap((n) => n.input ?? []));
    const before = nodes(g).length;
    g.node = nodes(g).filter((n) => (n.output ?? []).some((o) => read.has(o) || outputs.has(o)));
    if (g.node.length === before) break;
  }
  const read = new Set(nodes(g).flatMap((n) => n.input ?? []));
  g.initializer = (g.initializer ?? []).filter((t) => read.has(t.name ?? ''));
}

/** The chain reshape → transpose → Add → transpose → reshape as one Add of a [1, C, 1, 1] vector on the map. */
function foldChain(g: IGraphProto, output: string): void {
  const source = levelSource(g);
  const vec = initializer(g, 'no_mem_embed');
  const channels = floatValues(vec).length;
  vec.dims = [1, channels, 1, 1];
  const producer = producerOf(g, output)!;
  producer.output = producer.output!.map((o) => (o === output ? `${output}_unused` : o));
  nodes(g).push({ name: '/Add', opType: 'Add', input: [source, 'no_mem_embed'], output: [output] });
  removeDead(g);
}

/** What an optimiser may do: add the vector to the neck convolution's bias. Leaves no Add to find. */
export function foldIntoConvBias(model: ModelProto): void {
  const g = model.graph!;
  const add = memAdd(g);
  const vec = floatValues(initializer(g, 'no_mem_embed'));
  const neck = producerOf(g, levelSource(g))!;
  const conv = neck.input!.map((i) => producerOf(g, i)).find((n) => n?.opType === 'Conv' && n.input!.length === 3);
  if (!conv) throw new Error('surgery: no biased Conv feeds the neck output');
  const bias = initializer(g, conv.input![2]);
  const summed = floatValues(bias).map((b, i) => b + vec[i]);
  bias.rawData = new Uint8Array(summed.buffer);
  bias.floatData = [];
  add.opType = 'Identity';
  add.input = add.input!.filter((i) => i !== 'no_mem_embed');
  removeDead(g);
}

/**
 * The encoder as `variant`. `output` is the 64×64 level's name; `dims` its shape (for the folded
 * reshape targets).
 */
export function encoderVariant(bytes: Uint8Array, variant: Variant, output: string, dims: readonly number[] = [1, 256, 64, 64]): ModelProto {
  const model = decode(bytes);
  const g = model.graph!;
  switch (variant) {
    case 'as-exported':
      break;
    case 'swapped': {
      const add = memAdd(g);
      add.input = [...add.input!].reverse();
      break;
    }
    case 'constant-node': {
      const t = initializer(g, 'no_mem_embed');
      g.initializer = g.initializer!.filter((i) => i !== t);
      const value: ITensorProto = { dataType: FLOAT, dims: t.dims, floatData: Array.from(floatValues(t)) };
      nodes(g).unshift({ name: '/Constant_no_mem_embed', opType: 'Constant', output: ['no_mem_embed'], attribute: [{ name: 'value', type: T.TENSOR, t: value }] });
      break;
    }
    case 'fp16':
      toFp16(g, true);
      break;
    case 'fp16-constant':
      toFp16(g, false);
      break;
    case 'opset18':
      for (const o of model.opsetImport ?? []) if (!o.domain) o.version = 18;
      renameLikeAnotherExporter(g);
      break;
    case 'onnxsim-shapes':
      foldReshapeShapes(g, output, dims);
      break;
    case 'onnxsim-folded':
      foldChain(g, output);
      break;
  }
  return model;
}

/**
 * The part of an encoder from `from` (made a graph input of `dims`) to `output`: lets a test run
 * the 64×64 level's tail of a full-size encoder in milliseconds.
 */
export function tail(model: ModelProto, from: string, output: string, dims: readonly number[], elemType: number = FLOAT): Uint8Array {
  const copy = decode(encode(model));
  const g = copy.graph!;
  g.node = nodes(g).filter((n) => !(n.output ?? []).includes(from));
  g.input = [{ name: from, type: { tensorType: { elemType, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } }];
  g.output = (g.output ?? []).filter((o) => o.name === output);
  removeDead(g);
  return encode(copy);
}

export { FLOAT, FLOAT16 };
