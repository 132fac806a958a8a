// Removing SAM2's `no_mem_embed` from an exported image encoder.
//
// The official No-Time-to-Train pipeline feeds the raw 64×64 neck output to the mask decoder;
// SAM2's image predictor, and so every public ONNX export, adds the learned `no_mem_embed`
// vector first (spec/method.md §3.3 step 2). Both exporters add it the same way: the level-2
// map is flattened to [HW, B, 256], a [1, 1, 256] parameter is added, then Transpose + Reshape
// restore [B, 256, 64, 64] (samexporter export_sam2.py `SAM2ImageEncoder.forward`; HF
// `Sam2Model.get_image_embeddings`, which transformers.js exports). In the ONNX graph that is an
// `Add` with a 256-element constant operand (an initializer, or a `Constant` node) reached from
// the level-2 output through layout-only ops. We walk back from that output to the Add and
// replace it by an Identity on its other operand — exact, no subtract-after-the-fact rounding.
// The initializer name is not relied on (exporters mangle parameter names).
import { randomUUID } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import onnxProto from 'onnx-proto';
import type { ModelSource } from './backend.ts';
import { NoMemEmbedNotFoundError } from './errors.ts';

const { onnx } = onnxProto;
type IGraphProto = onnxProto.onnx.IGraphProto;
type INodeProto = onnxProto.onnx.INodeProto;
type ITensorProto = onnxProto.onnx.ITensorProto;

/** Ops that only move data around; the walk passes through their first input. */
const LAYOUT_OPS = new Set(['Reshape', 'Transpose', 'Identity', 'Squeeze', 'Unsqueeze', 'Flatten']);
const MAX_WALK = 32;

export interface NoMemEmbedSite {
  /** The Add node that adds the vector. */
  node: string;
  /** Its constant operand (initializer or Constant-node output). */
  constant: string;
}

function dimsOf(t: ITensorProto | null | undefined): number[] | undefined {
  return t?.dims?.map(Number);
}

/** [1, 1, C], [1, C], [C], ...: every dimension but one is 1 and that one is `channels`. */
function isChannelVector(dims: number[] | undefined, channels: number): boolean {
  if (!dims || dims.length === 0) return false;
  return dims.filter((d) => d !== 1).length === 1 && dims.includes(channels);
}

export function locateNoMemEmbed(graph: IGraphProto, output: string, channels = 256): NoMemEmbedSite | undefined {
  const producer = new Map<string, INodeProto>();
  for (const node of graph.node ?? []) for (const out of node.output ?? []) producer.set(out, node);
  const constants = new Map<string, number[] | undefined>();
  for (const init of graph.initializer ?? []) constants.set(init.name ?? '', dimsOf(init));
  for (const node of graph.node ?? []) {
    if (node.opType === 'Constant') {
      const value = node.attribute?.find((a) => a.name === 'value');
      constants.set(node.output?.[0] ?? '', dimsOf(value?.t));
    }
  }

  let name = output;
  for (let step = 0; step < MAX_WALK; step++) {
    const node = producer.get(name);
    if (!node) return undefined;
    if (LAYOUT_OPS.has(node.opType ?? '')) {
      name = node.input?.[0] ?? '';
      continue;
    }
    if (node.opType !== 'Add') return undefined;
    const constant = (node.input ?? []).find((i) => constants.has(i) && isChannelVector(constants.get(i), channels));
    return constant === undefined ? undefined : { node: node.name ?? '', constant };
  }
  return undefined;
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

/**
 * The encoder model with the no_mem_embed Add replaced by an Identity. `levelOutput` names the
 * 64×64 output given the graph's input names (the layout is known only from them).
 */
export function stripNoMemEmbed(modelBytes: Uint8Array, levelOutput: (inputNames: string[]) => string, where: string): PatchedEncoder {
  const model = onnx.ModelProto.decode(modelBytes);
  const graph = model.graph;
  if (!graph) throw new NoMemEmbedNotFoundError(`${where}: not an ONNX model (no graph)`);
  const output = levelOutput(runtimeInputs(graph));
  const site = locateNoMemEmbed(graph, output);
  if (!site) {
    throw new NoMemEmbedNotFoundError(
      `${where}: could not find where the encoder adds no_mem_embed to "${output}" ` +
        '(expected an Add of a 256-element constant reached through Reshape/Transpose). ' +
        'Open the models with removeNoMemEmbed: false to use this export as it is.',
    );
  }
  const nodes = graph.node ?? [];
  const add = nodes.find((n) => n.name === site.node && (n.input ?? []).includes(site.constant));
  if (!add) throw new NoMemEmbedNotFoundError(`${where}: no_mem_embed node vanished while patching`);
  add.opType = 'Identity';
  add.input = (add.input ?? []).filter((i) => i !== site.constant);
  add.attribute = [];
  const stillUsed = nodes.some((n) => (n.input ?? []).includes(site.constant));
  const initializers = (graph.initializer ?? []).filter((t) => stillUsed || t.name !== site.constant);
  graph.initializer = initializers;

  const externalFiles = new Set<string>();
  for (const t of initializers) {
    if (t.dataLocation !== onnx.TensorProto.DataLocation.EXTERNAL) continue;
    const location = (t.externalData ?? []).find((e) => e.key === 'location')?.value;
    if (location) externalFiles.add(location);
  }
  return { model: onnx.ModelProto.encode(model).finish(), site, externalFiles: [...externalFiles] };
}

export interface LoadableEncoder {
  source: ModelSource;
  site: NoMemEmbedSite;
  /** Removes temporary files once the session exists. */
  cleanup(): Promise<void>;
}

/**
 * A loadable source for the patched encoder at `path`. Weights in external data files stay on
 * disk: ORT resolves them relative to the model file and refuses paths that leave its folder
 * (symlinks included), so the patched graph is written beside the original under a temporary
 * name; where that folder is read-only the data files are read into memory instead.
 */
export async function patchedEncoderSource(path: string, levelOutput: (inputNames: string[]) => string): Promise<LoadableEncoder> {
  const patched = stripNoMemEmbed(await readFile(path), levelOutput, path);
  if (patched.externalFiles.length === 0) {
    return { source: { model: patched.model }, site: patched.site, cleanup: async () => {} };
  }
  const sibling = join(dirname(path), `.${basename(path)}.refseg-${process.pid}-${randomUUID()}.onnx`);
  try {
    await writeFile(sibling, patched.model, { flag: 'wx' });
    return { source: { model: sibling }, site: patched.site, cleanup: () => rm(sibling, { force: true }) };
  } catch {
    const externalData = await Promise.all(
      patched.externalFiles.map(async (file) => ({ path: file, data: new Uint8Array(await readFile(join(dirname(path), file))) })),
    );
    return { source: { model: patched.model, externalData }, site: patched.site, cleanup: async () => {} };
  }
}
