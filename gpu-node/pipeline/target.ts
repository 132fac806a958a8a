// Everything about a target image that does not depend on the proposal preset: decoded pixels,
// SHA-256 of the bytes as received, SAM2 embeddings of the 1024² stretch and DINOv2 patch features
// of its 518² resize (spec/method.md §3.1–§3.3).
import { sha256Hex } from '../../shared/encoding/index.ts';
import type { PatchFeatures } from '../../shared/matching/index.ts';
import { DINO_GRID } from '../models/index.ts';
import type { Models, Sam2Embeddings } from '../models/index.ts';
import { dinoPixels, decodeImage, samPixels, SAM_SIZE, stretchTo1024, unitChw } from '../preprocess/index.ts';
import type { DecodedImage } from '../preprocess/index.ts';
import { timed } from './stages.ts';
import type { StageObserver } from './stages.ts';

export interface ImageOptions {
  exif?: 'apply' | 'ignore';
  maxPixels?: number;
}

export interface AnalysedTarget {
  image: DecodedImage;
  imageSha256: string;
  embeddings: Sam2Embeddings;
  features: PatchFeatures;
}

export async function decodeTimed(bytes: Uint8Array, options: ImageOptions, observe?: StageObserver): Promise<DecodedImage> {
  return timed(observe, 'decode', () =>
    decodeImage(bytes, {
      orientation: options.exif ?? 'apply',
      ...(options.maxPixels === undefined ? {} : { maxPixels: options.maxPixels }),
    }),
  );
}

/** The /255 float32 CHW 1024² stretch both model inputs start from. */
export function stretch1024(image: DecodedImage, observe?: StageObserver): Promise<Float32Array> {
  return timed(observe, 'resize1024', () => unitChw(stretchTo1024(image), SAM_SIZE, SAM_SIZE));
}

export function samEmbeddings(models: Pick<Models, 'sam2'>, x1024: Float32Array, observe?: StageObserver): Promise<Sam2Embeddings> {
  return timed(observe, 'sam2-encoder', () => models.sam2.encode(samPixels(x1024)));
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
