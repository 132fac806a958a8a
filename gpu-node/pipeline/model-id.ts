// The model id of a node: which SAM2 and DINOv2 weights made its vectors and candidates. It is
// derived from the bytes of the graph files (and their external-data siblings), so two nodes agree
// exactly when their weights do, whatever the files are called or where they live.
import { stat } from 'node:fs/promises';
import { bytesToHex, sha256 } from '../../shared/encoding/index.ts';
import { sha256File } from '../model-store/fetch-file.ts';
import type { ModelsInfo } from '../models/index.ts';

/** Digest bytes kept in the id (64 bits: no collision among any plausible set of weights). */
const SHORT_BYTES = 8;

async function withData(path: string): Promise<string[]> {
  const data = `${path}_data`;
  try {
    await stat(data);
    return [path, data];
  } catch {
    return [path];
  }
}

/** SHA-256 over the per-file SHA-256s, shortened. */
async function digestOf(paths: readonly string[]): Promise<string> {
  const parts = await Promise.all(paths.map((p) => sha256File(p)));
  const digest = await sha256(new TextEncoder().encode(parts.join('\n')));
  return bytesToHex(digest.subarray(0, SHORT_BYTES));
}

/** e.g. `sam2:onnx-community:fp16:3f0c…+dinov2:d384r0:91ab…` (the variant is for people; the digest decides). */
export async function modelIdOf(info: Pick<ModelsInfo, 'sam2' | 'dino'>): Promise<string> {
  const sam2Files = [...(await withData(info.sam2.files.encoder)), ...(await withData(info.sam2.files.decoder))];
  const [sam2, dino] = await Promise.all([digestOf(sam2Files), digestOf(await withData(info.dino.path))]);
  return `sam2:${info.sam2.layout}:${info.sam2.variant}:${sam2}+dinov2:d${info.dino.dim}r${info.dino.registers}:${dino}`;
}
