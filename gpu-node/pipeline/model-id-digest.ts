// The model id from the SHA-256 of each graph file (model-id.ts hashes them on disk; a browser
// hashes the bytes it fetched), so both derive the same id from the same weights.
import { bytesToHex, sha256 } from '../../shared/encoding/index.ts';
import type { ModelsInfo } from '../models/index.ts';

/** Digest bytes kept in the id (64 bits: no collision among any plausible set of weights). */
const SHORT_BYTES = 8;

/** SHA-256 over the per-file SHA-256s (hex, in order), shortened. */
export async function digestOfFileHashes(fileHashes: readonly string[]): Promise<string> {
  const digest = await sha256(new TextEncoder().encode(fileHashes.join('\n')));
  return bytesToHex(digest.subarray(0, SHORT_BYTES));
}

/**
 * e.g. `sam2:onnx-community:fp16:3f0c…+dinov2:d384r0:91ab…` (the variant is for people; the digest
 * decides). `sam2Hashes`: encoder, its `_data` file if any, decoder, its `_data` file if any;
 * `dinoHashes`: the graph, its `_data` file if any.
 */
export async function modelIdFromHashes(
  info: { sam2: Pick<ModelsInfo['sam2'], 'layout' | 'variant'>; dino: Pick<ModelsInfo['dino'], 'dim' | 'registers'> },
  sam2Hashes: readonly string[],
  dinoHashes: readonly string[],
): Promise<string> {
  const [sam2, dino] = await Promise.all([digestOfFileHashes(sam2Hashes), digestOfFileHashes(dinoHashes)]);
  return `sam2:${info.sam2.layout}:${info.sam2.variant}:${sam2}+dinov2:d${info.dino.dim}r${info.dino.registers}:${dino}`;
}
