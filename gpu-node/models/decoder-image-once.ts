// Running the image-only part of samexporter's SAM2 decoder once per image instead of per prompt.
//
// With no mask prompt, SAM2's decoder input `src = image_embed + no_mask_embed` is the same for
// every prompt, and so is its positional encoding. samexporter's export broadcasts both to the
// prompt batch L before the two-way transformer (`src` at the Add of `image_embed` and the dense
// prompt embedding; the PE by an Expand to [1, L, 256, 64, 64]), so every prompt pays for the
// mask-downscaling convolutions of an all-zero `mask_input` and for layer 0's image-side
// projections (token-to-image k and v, image-to-token q: three 4096×256→128 MatMuls). The first
// Add that mixes a prompt-dependent tensor into the keys is layer 0's image-to-token residual;
// from there on the tensors are [L, …] anyway, and ONNX MatMul/Add broadcast a batch of 1.
//
// The patch, found by structure (node names are not relied on):
// - the dense operand of that Add becomes the `no_mask_embed` constant (the branch SAM2 takes
//   when has_mask_input = 0, which is all refseg ever sends: sam2-layout.ts), so `src` stays
//   [1, 256, 64, 64] and the mask branch is dead and removed;
// - the PE's Expand becomes an Identity (batch 1);
// - the final `src.view(b, c, h, w)` took b from src's shape; it now takes it from the prompt
//   input's first axis (L).
// A graph where any of these is not found is used unpatched (`imageOnce: 'none'`). The patched
// graph ignores `mask_input` and `has_mask_input` (still declared, still fed zeros); a caller
// that ever sends a mask prompt must open the unpatched graph (Sam2Options.decoderImageOnce).
import onnxProto from 'onnx-proto';
import type { ModelSource } from './backend.ts';
import { graphOf } from './graph-file.ts';
import { externalDataFiles, LAYOUT_OPS } from './graph-patch.ts';
import type { GraphFile } from './graph-source.ts';

const { onnx } = onnxProto;
type IGraphProto = onnxProto.onnx.IGraphProto;
type INodeProto = onnxProto.onnx.INodeProto;
type ITensorProto = onnxProto.onnx.ITensorProto;

/** What became of the per-prompt image work: patched out, kept on request, or not recognised. */
export type ImageOnce = 'applied' | 'off' | 'none';

export interface ImageOnceSite {
  /** The Add of image_embed and the dense prompt embedding. */
  srcAdd: string;
  /** The no_mask_embed constant now added instead. */
  noMaskEmbed: string;
  /** The Expand that repeated the image PE per prompt. */
  peExpand: string;
  /** Shape nodes of src whose batch dimension now comes from the prompt input. */
  batchShapes: string[];
}

function tensorElements(t: ITensorProto | null | undefined): number | undefined {
  return t?.dims?.reduce<number>((a, d) => a * Number(d), 1);
}

/** Initializers and Constant-node outputs, by name. */
function constants(graph: IGraphProto): Map<string, ITensorProto> {
  const out = new Map<string, ITensorProto>();
  for (const t of graph.initializer ?? []) out.set(t.name ?? '', t);
  for (const node of graph.node ?? []) {
    const t = node.opType === 'Constant' ? node.attribute?.find((a) => a.name === 'value')?.t : undefined;
    if (t) out.set(node.output?.[0] ?? '', t);
  }
  return out;
}

function int64Scalar(t: ITensorProto | undefined): number | undefined {
  if (!t || t.dataType !== onnx.TensorProto.DataType.INT64 || tensorElements(t) !== 1) return undefined;
  if (t.int64Data && t.int64Data.length === 1) return Number(t.int64Data[0]);
  const raw = t.rawData;
  return raw && raw.length === 8 ? Number(new DataView(raw.buffer, raw.byteOffset, 8).getBigInt64(0, true)) : undefined;
}

interface Found extends ImageOnceSite {
  add: INodeProto;
  denseInput: number;
  expand: INodeProto;
  shapes: INodeProto[];
}

/** The patch sites, or undefined when the graph is not shaped as expected. */
function find(graph: IGraphProto, imageInput: string, maskFlagInput: string): Found | undefined {
  const nodes = graph.node ?? [];
  const producer = new Map<string, INodeProto>();
  const consumers = new Map<string, INodeProto[]>();
  for (const n of nodes) {
    for (const o of n.output ?? []) producer.set(o, n);
    for (const i of n.input ?? []) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  }
  const consts = constants(graph);

  const adds = nodes.filter((n) => n.opType === 'Add' && (n.input ?? []).length === 2 && n.input!.includes(imageInput));
  if (adds.length !== 1) return undefined;
  const add = adds[0];
  const denseInput = add.input![0] === imageInput ? 1 : 0;
  // dense = has_mask · downscaled(mask) + (1 − has_mask) · no_mask_embed
  const mix = producer.get(add.input![denseInput]);
  if (mix?.opType !== 'Add') return undefined;
  let noMaskEmbed: string | undefined;
  for (const term of (mix.input ?? []).map((i) => producer.get(i))) {
    if (term?.opType !== 'Mul') continue;
    const [a, b] = term.input ?? [];
    const sub = [producer.get(a), producer.get(b)].find((p) => p?.opType === 'Sub' && p.input?.[1] === maskFlagInput);
    const k = [a, b].find((x) => tensorElements(consts.get(x)) === 256);
    if (sub && k) noMaskEmbed = k;
  }
  if (!noMaskEmbed) return undefined;

  // The PE repeat: an Expand whose data is the Sin/Cos positional encoding of the 64×64 grid.
  const fromSinCos = (name: string): boolean => {
    for (let step = 0, n = producer.get(name); n && step < 8; step++, n = producer.get(n.input?.[0] ?? '')) {
      if (n.opType === 'Concat') return (n.input ?? []).map((i) => producer.get(i)?.opType).join() === 'Sin,Cos';
      if (!LAYOUT_OPS.has(n.opType ?? '') && n.opType !== 'Split') return false;
    }
    return false;
  };
  const expands = nodes.filter((n) => n.opType === 'Expand' && fromSinCos(n.input?.[0] ?? '') && !consts.has(n.input?.[1] ?? ''));
  if (expands.length !== 1) return undefined;

  const src = add.output![0];
  const shapes = (consumers.get(src) ?? []).filter(
    (n) =>
      n.opType === 'Shape' &&
      (consumers.get(n.output![0]) ?? []).every((g) => g.opType === 'Gather' && int64Scalar(consts.get(g.input?.[1] ?? '')) === 0),
  );
  if (shapes.length === 0) return undefined;
  const label = (n: INodeProto) => n.name || n.output?.[0] || '?';
  return {
    add,
    denseInput,
    expand: expands[0],
    shapes,
    srcAdd: label(add),
    noMaskEmbed,
    peExpand: label(expands[0]),
    batchShapes: shapes.map(label),
  };
}

/** Removes nodes none of whose outputs is read, then initializers nothing reads. */
function pruneDead(graph: IGraphProto): void {
  const outputs = new Set((graph.output ?? []).map((o) => o.name ?? ''));
  let nodes = graph.node ?? [];
  for (;;) {
    const read = new Set([...outputs, ...nodes.flatMap((n) => n.input ?? [])]);
    const kept = nodes.filter((n) => (n.output ?? []).some((o) => read.has(o)));
    if (kept.length === nodes.length) break;
    nodes = kept;
  }
  graph.node = nodes;
  const read = new Set(nodes.flatMap((n) => n.input ?? []));
  const inputs = new Set((graph.input ?? []).map((i) => i.name ?? ''));
  graph.initializer = (graph.initializer ?? []).filter((t) => read.has(t.name ?? '') || inputs.has(t.name ?? ''));
}

export interface ImageOnceDecoder {
  model: Uint8Array;
  site: ImageOnceSite;
  externalFiles: string[];
}

/**
 * The decoder with its image-only work at batch 1 (samexporter layout: `image_embed`,
 * `has_mask_input`, `point_coords`), or undefined when the graph is not shaped as expected.
 */
export function imageOnceDecoder(modelBytes: Uint8Array, inputs = { image: 'image_embed', maskFlag: 'has_mask_input', prompt: 'point_coords' }): ImageOnceDecoder | undefined {
  const model = onnx.ModelProto.decode(modelBytes);
  const graph = model.graph;
  if (!graph) return undefined;
  const found = find(graph, inputs.image, inputs.maskFlag);
  if (!found) return undefined;
  found.add.input![found.denseInput] = found.noMaskEmbed;
  found.expand.opType = 'Identity';
  found.expand.input = [found.expand.input![0]];
  found.expand.attribute = [];
  for (const shape of found.shapes) shape.input = [inputs.prompt];
  pruneDead(graph);
  const { add: _a, denseInput: _d, expand: _e, shapes: _s, ...site } = found;
  return { model: onnx.ModelProto.encode(model).finish(), site, externalFiles: externalDataFiles(graph) };
}

/**
 * `source` (the decoder as decoder-clip.ts prepared it) with the image-once patch applied, or
 * unchanged with `none` when the graph does not have the expected shape.
 */
export async function imageOnceSource(
  source: ModelSource,
  file: string | GraphFile,
): Promise<{ source: ModelSource; imageOnce: ImageOnce; site?: ImageOnceSite }> {
  const graph = graphOf(file);
  const bytes = typeof source.model === 'string' ? await graphOf(source.model).bytes() : source.model;
  const patched = imageOnceDecoder(bytes);
  if (!patched) return { source, imageOnce: 'none' };
  if (source.externalData) {
    return { source: { model: patched.model, externalData: source.externalData }, imageOnce: 'applied', site: patched.site };
  }
  return { source: (await graph.patchedSource(patched.model, patched.externalFiles)).source, imageOnce: 'applied', site: patched.site };
}
