// DeviceFileSource on a file system (Node, Deno): the models folder is read through its
// manifest (a name it does not list is never opened, so nothing else in the folder is reachable)
// and onnxruntime-web's binaries come from the installed package.
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { DeviceModelsManifestSchema } from '../../shared/device-models.ts';
import type { DeviceFile, DeviceFileSource } from './files.ts';
import { DEVICE_RUNTIME_FILES } from './files.ts';

const MANIFEST = 'manifest.json';
const MAX_MANIFEST_BYTES = 64 * 1024;

async function fileAt(path: string): Promise<DeviceFile | null> {
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) return null;
  return { body: Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>, size: info.size };
}

/** The names manifest.json lists (read on each request: a folder rewritten while serving is followed). */
async function listed(dir: string): Promise<Set<string>> {
  const text = await readFile(join(dir, MANIFEST), 'utf8').catch(() => null);
  if (text === null || text.length > MAX_MANIFEST_BYTES) return new Set();
  try {
    const m = DeviceModelsManifestSchema.parse(JSON.parse(text));
    return new Set([m.encoder, m.decoder, m.dino].flatMap((g) => [g.file, ...g.data.map((d) => d.file)]));
  } catch {
    return new Set();
  }
}

function ortDist(): string | null {
  try {
    // The package exports no package.json; its CommonJS entry sits in dist/ beside the binaries.
    return dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));
  } catch {
    return null;
  }
}

/** `modelsDir`: REFSEG_DEVICE_MODELS_DIR (undefined: no models served here). */
export function deviceFilesOnDisk(modelsDir: string | undefined): DeviceFileSource {
  const dir = modelsDir ? resolve(modelsDir) : undefined;
  const dist = ortDist();
  return {
    hasModels: dir !== undefined,
    async model(name) {
      if (!dir) return null;
      if (name !== MANIFEST && !(await listed(dir)).has(name)) return null;
      return fileAt(join(dir, name));
    },
    async runtime(name) {
      return dist && DEVICE_RUNTIME_FILES.includes(name) ? fileAt(join(dist, name)) : null;
    },
  };
}
