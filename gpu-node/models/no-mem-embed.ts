// Removing SAM2's `no_mem_embed` from an exported image encoder.
//
// The official No-Time-to-Train pipeline feeds the raw 64×64 neck output to the mask decoder;
// SAM2's image predictor, and so every public ONNX export, adds the learned `no_mem_embed`
// vector first (spec/method.md §3.3 step 2). Both exporters add it the same way: the level-2
// map is flattened to [HW, B, 256], a [1, 1, 256] parameter is added, then Transpose + Reshape
// restore [B, 256, 64, 64] (samexporter export_sam2.py `SAM2ImageEncoder.forward`; HF
// `Sam2Model.get_image_embeddings`, which transformers.js exports). In the ONNX graph that is an
// `Add` with a 256-element constant operand (an initializer, or a `Constant` node, on either
// side, possibly behind a Cast in fp16 exports) reached from the level-2 output through
// layout-only ops and Casts. A simplified graph may have folded the chain into one Add of a
// [1, 256, 1, 1] vector on the map; the same walk finds it. We walk back from that output to the
// Add and replace it by an Identity on its other operand — exact, no subtract-after-the-fact
// rounding. Neither node nor initializer names are relied on (exporters mangle or omit them).
// test/real-graph/no-mem-embed-variants.test.ts runs this on each published shape.
import onnxProto from 'onnx-proto';
import type { ModelSource } from './backend.ts';
import { graphOf } from './graph-file.ts';
import { externalDataFiles, LAYOUT_OPS as LAYOUT_OPS_BASE } from './graph-patch.ts';
import type { GraphFile } from './graph-source.ts';
import { ModelFormatError, NoMemEmbedNotFoundError } from './errors.ts';

const { onnx } = onnxProto;
type IGraphProto = onnxProto.onnx.IGraphProto;
type INodeProto = onnxProto.onnx.INodeProto;
type ITensorProto = onnxProto.onnx.ITensorProto;

/**
 * Ops that only move data around (or, for Cast, change its precision: fp16 exports with fp32
 * inputs and outputs put one at each end); the walk passes through their first input.
 */
const LAYOUT_OPS: ReadonlySet<string> = new Set([...LAYOUT_OPS_BASE, 'Cast']);
/** Ops allowed between the constant and the Add (an fp16 export casts an fp32 parameter). */
const CONSTANT_PATH_OPS = new Set(['Cast', 'Identity']);
const MAX_WALK = 32;

/** How to use an export whose encoder cannot be patched: the CLI flag and the API option. */
export const KEEP_NO_MEM_EMBED_HINT = 'run with --keep-no-mem-embed (API: removeNoMemEmbed: false) to use this export with the vector kept, as SAM2\'s own predictor does';

export interface NoMemEmbedSite {
  /** The Add node that adds the vector (its name, else its output: some exporters leave names empty). */
  node: string;
  /** The constant it adds (initializer or Constant-node output), before any Cast. */
  constant: string;
}

interface FoundSite extends NoMemEmbedSite {
  /** Index of the Add in graph.node. */
  index: number;
  /** The Add input that carries the constant (the constant itself, or a Cast of it). */
  operand: string;
}

function dimsOf(t: ITensorProto | null | undefined): number[] | undefined {
  return t?.dims?.map(Number);
}

/** [1, 1, C], [1, C, 1, 1], [C], ...: every dimension but one is 1 and that one is `channels`. */
function isChannelVector(dims: number[] | undefined, channels: number): boolean {
  if (!dims || dims.length === 0) return false;
  return dims.filter((d) => d !== 1).length === 1 && dims.includes(channels);
}

function constantDims(node: INodeProto): number[] | undefined {
  for (const a of node.attribute ?? []) {
    if (a.name === 'value') return dimsOf(a.t);
    if (a.name === 'value_floats') return [a.floats?.length ?? 0];
  }
  return undefined;
}

function findSite(graph: IGraphProto, output: string, channels: number): FoundSite | undefined {
  const nodes = graph.node ?? [];
  const producer = new Map<string, number>();
  nodes.forEach((node, i) => {
    for (const out of node.output ?? []) producer.set(out, i);
  });
  const initializers = new Map<string, number[] | undefined>();
  for (const init of graph.initializer ?? []) initializers.set(init.name ?? '', dimsOf(init));

  /** The constant behind an Add operand, through at most a few Cast/Identity nodes. */
  const constantBehind = (operand: string): { name: string; dims: number[] | undefined } | undefined => {
    let name = operand;
    for (let step = 0; step < 4; step++) {
      if (initializers.has(name)) return { name, dims: initializers.get(name) };
      const i = producer.get(name);
      if (i === undefined) return undefined;
      const node = nodes[i];
      if (node.opType === 'Constant') return { name, dims: constantDims(node) };
      if (!CONSTANT_PATH_OPS.has(node.opType ?? '')) return undefined;
      name = node.input?.[0] ?? '';
    }
    return undefined;
  };

  let name = output;
  for (let step = 0; step < MAX_WALK; step++) {
    const index = producer.get(name);
    if (index === undefined) return undefined;
    const node = nodes[index];
    if (LAYOUT_OPS.has(node.opType ?? '')) {
      name = node.input?.[0] ?? '';
      continue;
    }
    if (node.opType !== 'Add' || (node.input ?? []).length !== 2) return undefined;
    const [a, b] = node.input!.map(constantBehind);
    // Exactly one operand is the vector; the other is the data path.
    const which = a && !b ? 0 : b && !a ? 1 : -1;
    const found = which === 0 ? a : which === 1 ? b : undefined;
    if (!found || !isChannelVector(found.dims, channels)) return undefined;
    return { node: node.name || node.output?.[0] || `#${index}`, constant: found.name, index, operand: node.input![which] };
  }
  return undefined;
}

export function locateNoMemEmbed(graph: IGraphProto, output: string, channels = 256): NoMemEmbedSite | undefined {
  const site = findSite(graph, output, channels);
  return site && { node: site.node, constant: site.constant };
}

export interface PatchedEncoder {
  model: Uint8Array;
  site: NoMemEmbedSite;
  /** External data files the graph references (relative to the original model's folder). */
  externalFiles: string[];
}

/** Graph inputs that are fed at run time (older exports also list initializers as inputs). */
function runtimeInputs(graph: IGraphProto): string[] {
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name));
  return (graph.input ?? []).map((v) => v.name ?? '').filter((n) => !initializers.has(n));
}

/** Drops the nodes and initializers that fed only the removed operand. */
function pruneUnused(graph: IGraphProto, start: string): void {
  const nodes = graph.node ?? [];
  const used = (name: string) => nodes.some((n) => (n.input ?? []).includes(name)) || (graph.output ?? []).some((o) => o.name === name);
  let name = start;
  for (let step = 0; step < 8 && !used(name); step++) {
    const i = nodes.findIndex((n) => (n.output ?? []).includes(name));
    if (i < 0) {
      // Older exports list initializers among the inputs too; a leftover entry would become a required feed.
      graph.initializer = (graph.initializer ?? []).filter((t) => t.name !== name);
      graph.input = (graph.input ?? []).filter((v) => v.name !== name);
      return;
    }
    const [node] = nodes.splice(i, 1);
    if ((node.output ?? []).length !== 1 || node.opType === 'Constant') return;
    name = node.input?.[0] ?? '';
  }
}

const LFS_POINTER = new TextEncoder().encode('version https://git-lfs');

function decodeModel(modelBytes: Uint8Array, where: string): onnxProto.onnx.ModelProto {
  // A hub repository cloned without Git LFS holds these small text stand-ins instead of the files.
  if (LFS_POINTER.every((b, i) => modelBytes[i] === b)) {
    throw new ModelFormatError(`${where}: a Git LFS pointer, not the model itself; fetch the file (git lfs pull, or refseg models pull).`);
  }
  try {
    return onnx.ModelProto.decode(modelBytes);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new ModelFormatError(`${where}: not a readable ONNX model (${why}); the file is damaged or is not ONNX. Download it again.`);
  }
}

/**
 * The encoder model with the no_mem_embed Add replaced by an Identity. `levelOutput` names the
 * 64×64 output given the graph's input names (the layout is known only from them).
 */
export function stripNoMemEmbed(modelBytes: Uint8Array, levelOutput: (inputNames: string[]) => string, where: string): PatchedEncoder {
  const model = decodeModel(modelBytes, where);
  const graph = model.graph;
  if (!graph || (graph.node ?? []).length === 0) {
    throw new ModelFormatError(`${where}: not an ONNX model with a graph; the file is damaged or is not ONNX. Download it again.`);
  }
  const output = levelOutput(runtimeInputs(graph));
  const site = findSite(graph, output, 256);
  if (!site) {
    throw new NoMemEmbedNotFoundError(
      `${where}: could not find where the encoder adds no_mem_embed to "${output}" ` +
        `(expected an Add of a 256-element constant reached through Reshape/Transpose/Cast); ${KEEP_NO_MEM_EMBED_HINT}.`,
    );
  }
  const add = graph.node![site.index];
  add.opType = 'Identity';
  add.input = (add.input ?? []).filter((i) => i !== site.operand);
  add.attribute = [];
  pruneUnused(graph, site.operand);

  return { model: onnx.ModelProto.encode(model).finish(), site: { node: site.node, constant: site.constant }, externalFiles: externalDataFiles(graph) };
}

export interface LoadableEncoder {
  source: ModelSource;
  site: NoMemEmbedSite;
  /** Removes temporary files once the session exists. */
  cleanup(): Promise<void>;
}

/**
 * A loadable source for the patched encoder `file` (a path, or a graph in memory). On disk,
 * weights in external data files stay there: the patched graph is written beside the original
 * (graph-file.ts says why), or the data files are read into memory where the folder is read-only.
 */
export async function patchedEncoderSource(file: string | GraphFile, levelOutput: (inputNames: string[]) => string): Promise<LoadableEncoder> {
  const graph = graphOf(file);
  const patched = stripNoMemEmbed(await graph.bytes(), levelOutput, graph.where);
  const { source, cleanup } = await graph.patchedSource(patched.model, patched.externalFiles, true);
  return { source, site: patched.site, cleanup };
}
