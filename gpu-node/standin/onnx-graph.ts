// Minimal ONNX graph writer on top of onnx-proto, enough for the stand-in models. Graphs are
// stamped opset 17 / IR 8 (spec/models.md §5.3: what real exports use and what ORT 1.30 loads).
// Opset-17 pitfalls handled here: ReduceSum/Squeeze/Unsqueeze take axes as an input, the other
// Reduce* ops as an attribute.
import onnxProto from 'onnx-proto';
import { STANDIN_PRODUCER } from '../models/producer.ts';

const { onnx } = onnxProto;
type INodeProto = onnxProto.onnx.INodeProto;
type ITensorProto = onnxProto.onnx.ITensorProto;
type IValueInfoProto = onnxProto.onnx.IValueInfoProto;
type IAttributeProto = onnxProto.onnx.IAttributeProto;

export const OPSET = 17;
export const IR_VERSION = 8;

export const FLOAT = onnx.TensorProto.DataType.FLOAT;
export const INT64 = onnx.TensorProto.DataType.INT64;

export type ElemType = typeof FLOAT | typeof INT64;
/** A fixed size or a symbolic dimension name. */
export type Dim = number | string;

type AttrValue = number | number[] | ITensorProto;

function attribute(name: string, v: AttrValue): IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'number') return { name, type: T.INT, i: v };
  if (Array.isArray(v)) return { name, type: T.INTS, ints: v };
  return { name, type: T.TENSOR, t: v };
}

function valueInfo(name: string, elemType: ElemType, dims: Dim[]): IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function tensorBytes(data: Float32Array | BigInt64Array): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
}

export interface EncodedModel {
  /** The .onnx protobuf. */
  model: Uint8Array;
  /** Contents of the external data file, when initializers were moved out. */
  externalData?: Uint8Array;
}

export interface EncodeOptions {
  /** Move initializers of at least `externalMinBytes` into this sibling file (format-A exports ship `.onnx_data`). */
  externalDataFile?: string;
  externalMinBytes?: number;
  docString?: string;
}

export class GraphBuilder {
  private readonly nodes: INodeProto[] = [];
  private readonly initializers: ITensorProto[] = [];
  private readonly inputs: IValueInfoProto[] = [];
  private readonly outputs: IValueInfoProto[] = [];
  private counter = 0;

  constructor(readonly name: string) {}

  private fresh(prefix: string): string {
    this.counter += 1;
    return `${prefix}_${this.counter}`;
  }

  input(name: string, elemType: ElemType, dims: Dim[]): string {
    this.inputs.push(valueInfo(name, elemType, dims));
    return name;
  }

  /** Declares `source` as graph output `name` (through an Identity when the names differ). */
  output(name: string, source: string, elemType: ElemType, dims: Dim[]): void {
    if (source !== name) this.nodes.push({ opType: 'Identity', input: [source], output: [name], name: `out_${name}` });
    this.outputs.push(valueInfo(name, elemType, dims));
  }

  floats(data: ArrayLike<number>, dims: number[], name?: string): string {
    const n = name ?? this.fresh('const_f');
    this.initializers.push({ name: n, dataType: FLOAT, dims, rawData: tensorBytes(Float32Array.from(data)) });
    return n;
  }

  ints(data: ArrayLike<number>, dims: number[] = [data.length], name?: string): string {
    const n = name ?? this.fresh('const_i');
    const big = BigInt64Array.from(Array.from(data, (x) => BigInt(x)));
    this.initializers.push({ name: n, dataType: INT64, dims, rawData: tensorBytes(big) });
    return n;
  }

  scalar(value: number): string {
    return this.floats([value], []);
  }

  /** Adds a node and returns the name of its (single) output. */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}): string {
    const name = this.fresh(opType);
    const output = `${name}_out`;
    this.nodes.push({
      name,
      opType,
      input: inputs,
      output: [output],
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return output;
  }

  // Opset-17 spellings of the ops whose axes moved from attribute to input.
  reduceSum(x: string, axes: number[], keepdims = 1): string {
    return this.op('ReduceSum', [x, this.ints(axes)], { keepdims });
  }
  reduceMean(x: string, axes: number[], keepdims = 1): string {
    return this.op('ReduceMean', [x], { axes, keepdims });
  }
  unsqueeze(x: string, axes: number[]): string {
    return this.op('Unsqueeze', [x, this.ints(axes)]);
  }
  reshape(x: string, shape: number[]): string {
    return this.op('Reshape', [x, this.ints(shape)]);
  }
  /** Float 0/1 of a boolean op result. */
  toFloat(x: string): string {
    return this.op('Cast', [x], { to: FLOAT });
  }

  encode(opts: EncodeOptions = {}): EncodedModel {
    const initializers = this.initializers.map((t) => ({ ...t }));
    let externalData: Uint8Array | undefined;
    if (opts.externalDataFile) {
      const chunks: Uint8Array[] = [];
      let offset = 0;
      const min = opts.externalMinBytes ?? 1024;
      for (const t of initializers) {
        const raw = t.rawData as Uint8Array;
        if (raw.byteLength < min) continue;
        chunks.push(raw);
        t.externalData = [
          { key: 'location', value: opts.externalDataFile },
          { key: 'offset', value: String(offset) },
          { key: 'length', value: String(raw.byteLength) },
        ];
        t.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
        t.rawData = undefined;
        offset += raw.byteLength;
      }
      externalData = new Uint8Array(offset);
      let at = 0;
      for (const c of chunks) {
        externalData.set(c, at);
        at += c.byteLength;
      }
    }
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      producerName: STANDIN_PRODUCER,
      opsetImport: [{ domain: '', version: OPSET }],
      docString: opts.docString ?? '',
      graph: {
        name: this.name,
        node: this.nodes,
        initializer: initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return { model: onnx.ModelProto.encode(model).finish(), externalData };
  }
}

/** Deterministic pseudo-random numbers in [-1, 1) (the stand-ins must be reproducible byte for byte). */
export function pseudoRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}
