// The model id of a node: which SAM2 and DINOv2 weights made its vectors and candidates. It is
// derived from the bytes of the graph files (and their external-data siblings), so two nodes agree
// exactly when their weights do, whatever the files are called or where they live.
import { stat } from 'node:fs/promises';
import { sha256File } from '../model-store/fetch-file.ts';
import type { ModelsInfo } from '../models/index.ts';
import { modelIdFromHashes } from './model-id-digest.ts';

async function withData(path: string): Promise<string[]> {
  const data = `${path}_data`;
  try {
    await stat(data);
    return [path, data];
  } catch {
    return [path];
  }
}

const hashes = (paths: readonly string[]) => Promise.all(paths.map((p) => sha256File(p)));

/** e.g. `sam2:onnx-community:fp16:3f0c…+dinov2:d384r0:91ab…` (model-id-digest.ts). */
export async function modelIdOf(info: Pick<ModelsInfo, 'sam2' | 'dino'>): Promise<string> {
  const sam2Files = [...(await withData(info.sam2.files.encoder)), ...(await withData(info.sam2.files.decoder))];
  const [sam2, dino] = await Promise.all([hashes(sam2Files), hashes(await withData(info.dino.path))]);
  return modelIdFromHashes(info, sam2, dino);
}
