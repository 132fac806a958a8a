// Removing the clamp that samexporter's decoder puts on the mask logits.
//
// samexporter's `SAM2ImageDecoder.forward` ends with `torch.clamp(masks, -32, 32)`, which exports
// as a `Clip` node (bounds as two constant inputs from opset 11 on, as attributes before) right
// before the `masks` output. SAM2's own image predictor clamps too, but only the copy it returns
// for reuse as a mask prompt. The official No-Time-to-Train pipeline calls the mask decoder
// directly and never clamps (spec/method.md §3.3). The 256-grid masks (logit > 0) are unaffected.
// The full-resolution masks are resized logits, though, so near a boundary between two clamped
// cells a pixel can change sign. We replace the Clip with an Identity in a patched copy of the
// graph. The onnx-community decoder (HF `Sam2Model`) returns `pred_masks` unclamped; there is
// nothing to remove there, and the search reports `none`.
import onnxProto from 'onnx-proto';
import type { ModelSource } from './backend.ts';
import { ModelFormatError } from './errors.ts';
import { graphOf } from './graph-file.ts';
import { externalDataFiles, LAYOUT_OPS } from './graph-patch.ts';
import type { GraphFile } from './graph-source.ts';
import { LAYOUTS } from './sam2-layout.ts';

const { onnx } = onnxProto;
type IGraphProto = onnxProto.onnx.IGraphProto;
type INodeProto = onnxProto.onnx.INodeProto;
type ITensorProto = onnxProto.onnx.ITensorProto;

const MAX_WALK = 8;
const MASK_OUTPUTS = new Set(Object.values(LAYOUTS).map((l) => l.masksOutput));

/** What became of a clamp on the decoder's mask logits. */
export type MaskClip = 'removed' | 'kept' | 'none';

export interface MaskClipSite {
  /** The Clip node. */
  node: string;
  /** The graph output it feeds. */
  output: string;
  /** Its bounds (absent bound: ∓Infinity). */
  min: number;
  max: number;
}

function scalarOf(t: ITensorProto | null | undefined): number | undefined {
  if (!t) return undefined;
  if (t.dataType !== onnx.TensorProto.DataType.FLOAT) return undefined;
  if (t.floatData && t.floatData.length === 1) return t.floatData[0];
  const raw = t.rawData;
  if (raw && raw.length === 4) return new DataView(raw.buffer, raw.byteOffset, 4).getFloat32(0, true);
  return undefined;
}

/** The float scalar a name stands for: an initializer or a Constant node's output. */
function constantScalars(graph: IGraphProto): Map<string, number | undefined> {
  const out = new Map<string, number | undefined>();
  for (const t of graph.initializer ?? []) out.set(t.name ?? '', scalarOf(t));
  for (const node of graph.node ?? []) {
    if (node.opType !== 'Constant') continue;
    const value = node.attribute?.find((a) => a.name === 'value');
    const single = node.attribute?.find((a) => a.name === 'value_float');
    out.set(node.output?.[0] ?? '', single ? (single.f ?? undefined) : scalarOf(value?.t));
  }
  return out;
}

/** Bounds of a Clip whose bounds are constants (inputs from opset 11, attributes before). */
function clipBounds(node: INodeProto, scalars: Map<string, number | undefined>): { min: number; max: number } | undefined {
  const attr = (name: string) => node.attribute?.find((a) => a.name === name)?.f ?? undefined;
  const input = (i: number): number | undefined | null => {
    const name = node.input?.[i];
    if (name === undefined || name === '') return null; // absent bound
    return scalars.has(name) ? scalars.get(name) : undefined; // undefined: computed at run time
  };
  const lo = input(1);
  const hi = input(2);
  if (lo === undefined || hi === undefined) return undefined;
  return { min: lo ?? attr('min') ?? -Infinity, max: hi ?? attr('max') ?? Infinity };
}

/** The Clip with constant bounds that produces a mask-logit output, through layout-only ops. */
export function locateMaskClip(graph: IGraphProto): MaskClipSite | undefined {
  const producer = new Map<string, INodeProto>();
  for (const node of graph.node ?? []) for (const out of node.output ?? []) producer.set(out, node);
  const scalars = constantScalars(graph);
  for (const output of graph.output ?? []) {
    const name0 = output.name ?? '';
    if (!MASK_OUTPUTS.has(name0)) continue;
    let name = name0;
    for (let step = 0; step < MAX_WALK; step++) {
      const node = producer.get(name);
      if (!node) break;
      if (LAYOUT_OPS.has(node.opType ?? '')) {
        name = node.input?.[0] ?? '';
        continue;
      }
      if (node.opType !== 'Clip') break;
      const bounds = clipBounds(node, scalars);
      if (!bounds) break;
      return { node: node.name ?? '', output: name0, ...bounds };
    }
  }
  return undefined;
}

export interface UnclippedDecoder {
  /** The patched model, or undefined when the graph has no such Clip. */
  model?: Uint8Array;
  site?: MaskClipSite;
  /** External data files the graph references (relative to the original model's folder). */
  externalFiles: string[];
}

function decodeModel(modelBytes: Uint8Array, where: string): { model: onnxProto.onnx.ModelProto; graph: IGraphProto } {
  const model = onnx.ModelProto.decode(modelBytes);
  if (!model.graph) throw new ModelFormatError(`${where}: not an ONNX model (no graph)`);
  return { model, graph: model.graph };
}

/** The decoder with the Clip on its mask logits replaced by an Identity (unchanged if none). */
export function unclipMaskLogits(modelBytes: Uint8Array, where: string): UnclippedDecoder {
  const { model, graph } = decodeModel(modelBytes, where);
  const site = locateMaskClip(graph);
  if (!site) return { externalFiles: [] };
  const nodes = graph.node ?? [];
  const clip = nodes.find((n) => n.name === site.node && n.opType === 'Clip')!;
  const bounds = (clip.input ?? []).slice(1).filter((i) => i !== '');
  clip.opType = 'Identity';
  clip.input = [clip.input?.[0] ?? ''];
  clip.attribute = [];
  // Drop the bound constants nothing else reads, so the patched graph carries no dead nodes.
  const read = new Set(nodes.flatMap((n) => n.input ?? []));
  const dead = new Set(bounds.filter((b) => !read.has(b)));
  graph.node = nodes.filter((n) => !(n.opType === 'Constant' && dead.has(n.output?.[0] ?? '')));
  graph.initializer = (graph.initializer ?? []).filter((t) => !dead.has(t.name ?? ''));
  return { model: onnx.ModelProto.encode(model).finish(), site, externalFiles: externalDataFiles(graph) };
}

export interface DecoderSource {
  source: ModelSource;
  maskClip: MaskClip;
  site?: MaskClipSite;
}

/**
 * How to load the decoder `file` (a path, or a graph in memory): patched when `removeClip` and
 * the graph clamps its mask logits, else the file itself. A patched graph's external data
 * (decoders hold ~21 MB) is passed in memory, so nothing is written beside the model.
 */
export async function decoderSource(file: string | GraphFile, removeClip: boolean): Promise<DecoderSource> {
  const graph = graphOf(file);
  const bytes = await graph.bytes();
  if (!removeClip) {
    const site = locateMaskClip(decodeModel(bytes, graph.where).graph);
    return site ? { source: graph.source, maskClip: 'kept', site } : { source: graph.source, maskClip: 'none' };
  }
  const patched = unclipMaskLogits(bytes, graph.where);
  if (!patched.model || !patched.site) return { source: graph.source, maskClip: 'none' };
  const { source } = await graph.patchedSource(patched.model, patched.externalFiles);
  return { source, maskClip: 'removed', site: patched.site };
}
