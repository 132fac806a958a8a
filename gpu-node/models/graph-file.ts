// A graph on disk (graph-source.ts's GraphFile for a path). node:fs is imported when a file is
// read, not when this module loads, so the browser's model code can share modules with it.
import type { GraphFile } from './graph-source.ts';

const fs = () => import('node:fs/promises');
const path = () => import('node:path');

/** The external data `files` of the model at `modelPath`, read into memory for a patched graph. */
export async function readExternalData(modelPath: string, files: readonly string[]): Promise<{ path: string; data: Uint8Array }[]> {
  const [{ readFile }, { dirname, join }] = await Promise.all([fs(), path()]);
  return Promise.all(files.map(async (file) => ({ path: file, data: new Uint8Array(await readFile(join(dirname(modelPath), file))) })));
}

/**
 * The graph at `file`. A patched copy with external weights is written beside the original under
 * a temporary name when asked (`beside`): ORT resolves data files relative to the model file and
 * refuses paths that leave its folder (symlinks included); where that folder is read-only, or
 * when not asked, the data files are read into memory instead.
 */
export function fileGraph(file: string): GraphFile {
  return {
    where: file,
    source: { model: file },
    bytes: async () => (await fs()).readFile(file),
    async patchedSource(model, externalFiles, beside = false) {
      if (externalFiles.length === 0) return { source: { model }, cleanup: async () => {} };
      if (beside) {
        const [{ writeFile, rm }, { basename, dirname, join }] = await Promise.all([fs(), path()]);
        const sibling = join(dirname(file), `.${basename(file)}.refseg-${globalThis.process?.pid ?? 0}-${crypto.randomUUID()}.onnx`);
        try {
          await writeFile(sibling, model, { flag: 'wx' });
          return { source: { model: sibling }, cleanup: () => rm(sibling, { force: true }) };
        } catch {
          // read-only folder: fall through to memory
        }
      }
      const externalData = await readExternalData(file, externalFiles);
      return { source: { model, externalData }, cleanup: async () => {} };
    },
  };
}

/** A GraphFile from a path or as given. */
export function graphOf(file: string | GraphFile): GraphFile {
  return typeof file === 'string' ? fileGraph(file) : file;
}
