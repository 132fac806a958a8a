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

/** Both models' inputs of a decoded image, made on the calling thread. */
export interface ModelInputs {
  /** 3×1024² SAM2 input (ImageNet-normalised CHW). */
  sam: Float32Array;
  /** 3×518² DINOv2 input. */
  dino: Float32Array;
}

/** The 1024² stretch and the 518² resize of it: host work, no model run. */
export async function modelInputs(image: RgbImage, observe?: StageObserver): Promise<ModelInputs> {
  const x1024 = await stretch1024(image, observe);
  const dino = await timed(observe, 'resize518', () => dinoPixels(x1024));
  return { sam: samPixels(x1024), dino };
}

/** SAM2 encoder, then DINOv2: one model at a time (a gpu-node's encode lane, scheduler.ts; a browser's Web Worker). */
export async function encodeInputs(models: Pick<Models, 'sam2' | 'dino' | 'info'>, inputs: ModelInputs, observe?: StageObserver): Promise<Pick<AnalysedTarget, 'embeddings' | 'features'>> {
  const embeddings = await timed(observe, 'sam2-encoder', () => models.sam2.encode(inputs.sam));
  const data = await timed(observe, 'dinov2', () => models.dino.patchFeatures(inputs.dino));
  return { embeddings, features: { data, rows: DINO_GRID, cols: DINO_GRID, dim: models.info.dino.dim } };
}
