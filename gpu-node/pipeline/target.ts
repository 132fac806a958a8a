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

/** SAM2 embeddings and DINOv2 features of a decoded image. */
export async function encodeTarget(
  models: Pick<Models, 'sam2' | 'dino' | 'info'>,
  image: DecodedImage,
  observe?: StageObserver,
): Promise<Pick<AnalysedTarget, 'embeddings' | 'features'>> {
  const x1024 = await stretch1024(image, observe);
  // The encoder runs in a worker while the main thread resizes for DINOv2; the no-op catch keeps
  // an early encoder failure from counting as unhandled before it is awaited below.
  const embeddings = samEmbeddings(models, x1024, observe);
  embeddings.catch(() => {});
  const dino = await timed(observe, 'resize518', () => dinoPixels(x1024));
  const data = await timed(observe, 'dinov2', () => models.dino.patchFeatures(dino));
  const features: PatchFeatures = { data, rows: DINO_GRID, cols: DINO_GRID, dim: models.info.dino.dim };
  return { embeddings: await embeddings, features };
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
