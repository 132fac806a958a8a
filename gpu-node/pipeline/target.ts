// Everything about a target image that does not depend on the proposal preset: decoded pixels,
// SHA-256 of the bytes as received, SAM2 embeddings of the 1024² stretch and DINOv2 patch features
// of its 518² resize (spec/method.md §3.1–§3.3).
import { sha256Hex } from '../../shared/encoding/index.ts';
import type { Models } from '../models/index.ts';
import { decodeImage } from '../preprocess/index.ts';
import type { DecodedImage } from '../preprocess/index.ts';
import type { PatchFeatures } from '../../shared/matching/index.ts';
import { DINO_GRID } from '../models/dino-runner.ts';
import { dinoPixels, samPixels } from '../preprocess/tensors.ts';
import { stretch1024 } from './encode-target.ts';
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

/** The host half of a target's analysis: pixels, hash and both model inputs, no model run yet. */
export interface PreparedTarget {
  image: DecodedImage;
  imageSha256: string;
  /** 3×1024² SAM2 input (ImageNet-normalised CHW). */
  sam: Float32Array;
  /** 3×518² DINOv2 input. */
  dino: Float32Array;
}

/** Decode, hash and both resizes: CPU work of the thread that calls it. */
export async function prepareTarget(bytes: Uint8Array, options: ImageOptions = {}, observe?: StageObserver): Promise<PreparedTarget> {
  const image = await decodeTimed(bytes, options, observe);
  const imageSha256 = await timed(observe, 'sha256', () => sha256Hex(bytes));
  const x1024 = await stretch1024(image, observe);
  const dino = await timed(observe, 'resize518', () => dinoPixels(x1024));
  return { image, imageSha256, sam: samPixels(x1024), dino };
}

/** The model half: SAM2 encoder, then DINOv2 (one model worker at a time, see scheduler.ts). */
export async function encodePrepared(models: Pick<Models, 'sam2' | 'dino' | 'info'>, prepared: PreparedTarget, observe?: StageObserver): Promise<AnalysedTarget> {
  const embeddings = await timed(observe, 'sam2-encoder', () => models.sam2.encode(prepared.sam));
  const data = await timed(observe, 'dinov2', () => models.dino.patchFeatures(prepared.dino));
  const features: PatchFeatures = { data, rows: DINO_GRID, cols: DINO_GRID, dim: models.info.dino.dim };
  return { image: prepared.image, imageSha256: prepared.imageSha256, embeddings, features };
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
