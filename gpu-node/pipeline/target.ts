// Everything about a target image that does not depend on the proposal preset: decoded pixels,
// SHA-256 of the bytes as received, SAM2 embeddings of the 1024² stretch and DINOv2 patch features
// of its 518² resize (spec/method.md §3.1–§3.3).
import { sha256Hex } from '../../shared/encoding/index.ts';
import type { Models } from '../models/index.ts';
import { decodeImage } from '../preprocess/index.ts';
import type { DecodedImage } from '../preprocess/index.ts';
import { encodeTarget } from './encode-target.ts';
import type { AnalysedTarget } from './encode-target.ts';
import { timed } from './stages.ts';
import type { StageObserver } from './stages.ts';

export { encodeTarget, samEmbeddings, stretch1024 } from './encode-target.ts';
export type { AnalysedTarget } from './encode-target.ts';

export interface ImageOptions {
  exif?: 'apply' | 'ignore';
  maxPixels?: number;
}

export async function decodeTimed(bytes: Uint8Array, options: ImageOptions, observe?: StageObserver): Promise<DecodedImage> {
  return timed(observe, 'decode', () =>
    decodeImage(bytes, {
      orientation: options.exif ?? 'apply',
      ...(options.maxPixels === undefined ? {} : { maxPixels: options.maxPixels }),
    }),
  );
}

export async function analyseTarget(
  models: Pick<Models, 'sam2' | 'dino' | 'info'>,
  bytes: Uint8Array,
  options: ImageOptions = {},
  observe?: StageObserver,
): Promise<AnalysedTarget> {
  const image = await decodeTimed(bytes, options, observe);
  const imageSha256 = await timed(observe, 'sha256', () => sha256Hex(bytes));
  return { image, imageSha256, ...(await encodeTarget(models, image, observe)) };
}
