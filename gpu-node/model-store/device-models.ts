// A folder of models for the browser's on-device engine: the SAM2 encoder and decoder, DINOv2,
// their external data files, and `manifest.json` (shared/device-models.ts) naming them with sizes
// and SHA-256s. The edge serves such a folder (REFSEG_DEVICE_MODELS_DIR, edge/routes/device.ts);
// any static host (a CDN, a bucket) can serve it as well.
//   npx tsx gpu-node/model-store/device-models.ts <sam2Dir> <dinov2.onnx> <outDir> [--sam2-variant fp16]
import { copyFile, link, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DEVICE_FILE_NAME, DeviceModelsManifestSchema } from '../../shared/device-models.ts';
import type { DeviceModelsManifest, ManifestFile, ManifestGraph } from '../../shared/device-models.ts';
import { ModelInputError } from '../models/errors.ts';
import { findSam2Files } from '../models/files.ts';
import { sha256File } from './fetch-file.ts';

export const DEVICE_MANIFEST = 'manifest.json';

/** Sibling data files the graph names (as ort-web.ts loads them). */
async function dataFiles(graph: string): Promise<string[]> {
  const text = new TextDecoder('latin1').decode(await readFile(graph));
  const own = basename(graph);
  return (await readdir(dirname(graph))).filter((f) => f !== own && /\.(onnx_data|onnx\.data|data|bin)$/.test(f) && text.includes(f)).sort();
}

async function place(from: string, outDir: string): Promise<ManifestFile> {
  const name = basename(from);
  if (!DEVICE_FILE_NAME.test(name)) throw new ModelInputError(`${from}: the name ${name} cannot be served (letters, digits, . _ - only)`);
  const to = join(outDir, name);
  await rm(to, { force: true });
  // A hard link costs no space; across file systems the file is copied.
  await link(from, to).catch(() => copyFile(from, to));
  return { file: name, bytes: (await stat(to)).size, sha256: await sha256File(to) };
}

async function placeGraph(graph: string, outDir: string): Promise<ManifestGraph> {
  const own = await place(graph, outDir);
  const data = [];
  for (const f of await dataFiles(graph)) data.push(await place(join(dirname(graph), f), outDir));
  return { ...own, data };
}

export async function writeDeviceModels(options: { sam2Dir: string; sam2Variant?: string; dinoPath: string; outDir: string }): Promise<DeviceModelsManifest> {
  const sam2 = await findSam2Files(options.sam2Dir, options.sam2Variant);
  const outDir = resolve(options.outDir);
  await mkdir(outDir, { recursive: true });
  const names = [sam2.encoder, sam2.decoder, options.dinoPath].map((p) => basename(p));
  if (new Set(names).size !== names.length) {
    throw new ModelInputError(`the SAM2 and DINOv2 files share a name (${names.join(', ')}); rename the DINOv2 file (its model id does not depend on the name)`);
  }
  const manifest: DeviceModelsManifest = DeviceModelsManifestSchema.parse({
    format: 'refseg-device-models/1',
    encoder: await placeGraph(sam2.encoder, outDir),
    decoder: await placeGraph(sam2.decoder, outDir),
    dino: await placeGraph(options.dinoPath, outDir),
  });
  await writeFile(join(outDir, DEVICE_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

if (process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === import.meta.url) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { 'sam2-variant': { type: 'string' } } });
  if (positionals.length !== 3) {
    process.stderr.write('usage: npx tsx gpu-node/model-store/device-models.ts <sam2Dir> <dinov2.onnx> <outDir> [--sam2-variant <variant>]\n');
    process.exit(2);
  }
  const [sam2Dir, dinoPath, outDir] = positionals;
  const manifest = await writeDeviceModels({ sam2Dir, dinoPath, outDir, ...(values['sam2-variant'] ? { sam2Variant: values['sam2-variant'] } : {}) });
  const files = [manifest.encoder, manifest.decoder, manifest.dino].flatMap((g) => [g, ...g.data]);
  process.stdout.write(`${outDir}: ${files.map((f) => `${f.file} (${f.bytes} bytes)`).join(', ')}, ${DEVICE_MANIFEST}\n`);
}
