// An ONNX graph file as the model code reads it, whatever holds it: a path on a node
// (graph-file.ts reads the disk), bytes already in memory in a browser Web Worker (memoryGraph).
// The layout detection and the graph patches (no-mem-embed, decoder-clip, decoder-image-once)
// take one of these, so they run unchanged on both.
import type { ModelSource } from './backend.ts';

export interface GraphFile {
  /** Path or file name: names the file in messages and in the model info. */
  where: string;
  /** The file unpatched, as a runtime loads it. */
  source: ModelSource;
  bytes(): Promise<Uint8Array>;
  /**
   * A loadable source for a patched copy of the graph whose weights stay in `externalFiles`
   * (names relative to the original's folder). `beside`: a file-backed graph may write the copy
   * beside the original rather than read the data files into memory (the encoder's are large);
   * `cleanup` then removes it once the session exists.
   */
  patchedSource(model: Uint8Array, externalFiles: readonly string[], beside?: boolean): Promise<{ source: ModelSource; cleanup(): Promise<void> }>;
}

/** A graph held in memory: `data` maps each external-data file name the graph uses to its bytes. */
export function memoryGraph(name: string, model: Uint8Array, data: ReadonlyMap<string, Uint8Array> = new Map()): GraphFile {
  const externalData = (files: readonly string[]) =>
    files.map((path) => {
      const bytes = data.get(path);
      if (!bytes) throw new Error(`${name}: its external data file ${path} was not provided`);
      return { path, data: bytes };
    });
  const all = [...data].map(([path, bytes]) => ({ path, data: bytes }));
  return {
    where: name,
    source: all.length > 0 ? { model, externalData: all } : { model },
    bytes: async () => model,
    patchedSource: async (patched, files) => {
      const ext = externalData(files);
      return { source: ext.length > 0 ? { model: patched, externalData: ext } : { model: patched }, cleanup: async () => {} };
    },
  };
}
