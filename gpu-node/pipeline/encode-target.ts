// A target's model inputs and outputs from decoded RGB pixels: SAM2 embeddings of the 1024²
// stretch and DINOv2 patch features of its 518² resize (spec/method.md §3.1–§3.3). No decoding
// and no node: modules here: the gpu-node (target.ts, after sharp) and the browser's Web Worker
// (after its own decode) both start from pixels.
import type { PatchFeatures } from '../../shared/matching/index.ts';
import { DINO_GRID } from '../models/dino-runner.ts';
import type { Models, Sam2Embeddings } from '../models/index.ts';
import type { DecodedImage } from '../preprocess/decode.ts';
import { dinoPixels, samPixels, SAM_SIZE, stretchTo1024, unitChw } from '../preprocess/tensors.ts';
import type { RgbImage } from '../preprocess/tensors.ts';
import { timed } from './stages.ts';
import type { StageObserver } from './stages.ts';

/** `I`: the decoded image (the gpu-node's carries its format and orientation; any RGB image will do). */
export interface AnalysedTarget<I extends RgbImage = DecodedImage> {
  image: I;
  imageSha256: string;
  embeddings: Sam2Embeddings;
  features: PatchFeatures;
}

/** The /255 float32 CHW 1024² stretch both model inputs start from. */
export function stretch1024(image: RgbImage, observe?: StageObserver): Promise<Float32Array> {
  return timed(observe, 'resize1024', () => unitChw(stretchTo1024(image), SAM_SIZE, SAM_SIZE));
}

export function samEmbeddings(models: Pick<Models, 'sam2'>, x1024: Float32Array, observe?: StageObserver): Promise<Sam2Embeddings> {
  return timed(observe, 'sam2-encoder', () => models.sam2.encode(samPixels(x1024)));
}

/**
 * SAM2 embeddings and DINOv2 features of a decoded image. `overlap` (default true): resize for
 * DINOv2 while the encoder runs in a model worker; a host whose models run on its own thread (a
 * browser's Web Worker) passes false, so each stage's time is its own.
 */
export async function encodeTarget(
  models: Pick<Models, 'sam2' | 'dino' | 'info'>,
  image: RgbImage,
  observe?: StageObserver,
  overlap = true,
): Promise<Pick<AnalysedTarget, 'embeddings' | 'features'>> {
  const x1024 = await stretch1024(image, observe);
  // The no-op catch keeps an early encoder failure from counting as unhandled before it is
  // awaited below.
  const embeddings = samEmbeddings(models, x1024, observe);
  embeddings.catch(() => {});
  if (!overlap) await embeddings;
  const dino = await timed(observe, 'resize518', () => dinoPixels(x1024));
  const data = await timed(observe, 'dinov2', () => models.dino.patchFeatures(dino));
  const features: PatchFeatures = { data, rows: DINO_GRID, cols: DINO_GRID, dim: models.info.dino.dim };
  return { embeddings: await embeddings, features };
}
