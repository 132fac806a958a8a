// Everything about a target image that does not depend on the proposal preset: decoded pixels,
// SHA-256 of the bytes as received, SAM2 embeddings of the 1024² stretch and DINOv2 patch features
// of its 518² resize (spec/method.md §3.1–§3.3).
import { sha256Hex } from '../../shared/encoding/index.ts';
import type { Models } from '../models/index.ts';
import { decodeImage } from '../preprocess/index.ts';
import type { DecodedImage } from '../preprocess/index.ts';
import { encodeInputs, modelInputs } from './encode-target.ts';
import type { AnalysedTarget, ModelInputs } from './encode-target.ts';
import { timed } from './stages.ts';
import type { StageObserver } from './stages.ts';

export { encodeInputs, modelInputs, samEmbeddings, stretch1024 } from './encode-target.ts';
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

/** The host half of a target's analysis: pixels, hash and both model inputs, no model run yet. */
export interface PreparedTarget extends ModelInputs {
  image: DecodedImage;
  imageSha256: string;
}

/** Decode, hash and both resizes: CPU work of the thread that calls it. */
export async function prepareTarget(bytes: Uint8Array, options: ImageOptions = {}, observe?: StageObserver): Promise<PreparedTarget> {
  const image = await decodeTimed(bytes, options, observe);
  const imageSha256 = await timed(observe, 'sha256', () => sha256Hex(bytes));
  return { image, imageSha256, ...(await modelInputs(image, observe)) };
}

/** The model half: SAM2 encoder, then DINOv2 (one model worker at a time, see scheduler.ts). */
export async function encodePrepared(models: Pick<Models, 'sam2' | 'dino' | 'info'>, prepared: PreparedTarget, observe?: StageObserver): Promise<AnalysedTarget> {
  return { image: prepared.image, imageSha256: prepared.imageSha256, ...(await encodeInputs(models, prepared, observe)) };
}

/** One image analysed on its own (no scheduler): what the pipelined path computes too. */
export async function analyseTarget(
  models: Pick<Models, 'sam2' | 'dino' | 'info'>,
  bytes: Uint8Array,
  options: ImageOptions = {},
  observe?: StageObserver,
): Promise<AnalysedTarget> {
  return encodePrepared(models, await prepareTarget(bytes, options, observe), observe);
}
