// SAM2's mask for a prompt a person gives: a box, or clicks on (1) and off (0) the object. The
// image is SAM2-encoded, the prompt decoded, and the best of the three multimask outputs by
// predicted IoU rendered at the image's resolution. Box references (references.ts) and the mask
// preview share this path, so a previewed box gives exactly the mask the reference will store.
import type { MaskPrompt } from '../../shared/api/gpu-node.ts';
import { rleArea, rleToBbox } from '../../shared/coco-mask/index.ts';
import { checkPromptInside } from '../../shared/mask-prompt.ts';
import { createFullResRenderer, scanLowResMask } from '../../shared/matching/index.ts';
import type { CocoBox, Rle } from '../../shared/types.ts';
import type { Models, Sam2Embeddings } from '../models/index.ts';
import type { DecodedImage } from '../preprocess/index.ts';
import { EmptyPromptMaskError } from './errors.ts';
import { imageToInput } from './grid.ts';
import { bestMultimask, maskPlane } from './multimask.ts';
import { timed } from './stages.ts';
import type { StageObserver } from './stages.ts';
import { samEmbeddings, stretch1024 } from './target.ts';

export interface PromptedMask {
  rle: Rle;
  /** SAM2's predicted IoU of the chosen output. */
  predictedIou: number;
}

/** SAM2's best multimask output for `prompt` on an encoded image. */
export async function promptMask(
  models: Pick<Models, 'sam2'>,
  emb: Sam2Embeddings,
  image: Pick<DecodedImage, 'width' | 'height'>,
  prompt: MaskPrompt,
  observe?: StageObserver,
): Promise<PromptedMask> {
  const { width, height } = image;
  const decoded = await timed(observe, 'sam2-decoder', () => {
    if ('box' in prompt) {
      const [x, y, w, h] = prompt.box;
      return models.sam2.decodeBox(emb, [imageToInput(x, width), imageToInput(y, height), imageToInput(x + w, width), imageToInput(y + h, height)]);
    }
    const points = prompt.points.flatMap(([x, y]) => [imageToInput(x, width), imageToInput(y, height)]);
    return models.sam2.decodePrompt(emb, points, prompt.points.map((p) => p[2]));
  });
  const token = bestMultimask(decoded, 0);
  const plane = maskPlane(decoded, 0, token);
  const rendered = createFullResRenderer(height, width).render(plane, scanLowResMask(plane, 0));
  return { rle: rendered.rle, predictedIou: decoded.iou[token] };
}

export interface MaskPreview extends PromptedMask {
  bbox: CocoBox;
}

/** An image as the preview needs it: its oriented size and SAM2 embeddings. */
export interface EncodedImage {
  width: number;
  height: number;
  orientation: DecodedImage['orientation'];
  embeddings: Sam2Embeddings;
}

export async function encodeForPreview(models: Pick<Models, 'sam2'>, image: DecodedImage, observe?: StageObserver): Promise<EncodedImage> {
  const embeddings = await samEmbeddings(models, await stretch1024(image, observe), observe);
  return { width: image.width, height: image.height, orientation: image.orientation, embeddings };
}

/** The mask a prompt makes on an encoded image; EmptyPromptMaskError (422) when SAM2 finds nothing. */
export async function previewMask(models: Pick<Models, 'sam2'>, image: EncodedImage, prompt: MaskPrompt, observe?: StageObserver): Promise<MaskPreview> {
  checkPromptInside(prompt, image.width, image.height, 'prompt');
  const mask = await promptMask(models, image.embeddings, image, prompt, observe);
  if (rleArea(mask.rle) === 0) throw new EmptyPromptMaskError(prompt);
  return { ...mask, bbox: rleToBbox(mask.rle) };
}

/**
 * The last few images encoded for previews, by content and orientation mode: a person clicks
 * several times on one image, and only the first click should pay for the SAM2 encoder. A failed
 * encoding is forgotten at once.
 */
export class EncodedImages {
  private readonly entries = new Map<string, Promise<EncodedImage>>();

  constructor(private readonly capacity: number) {}

  get(key: string, encode: () => Promise<EncodedImage>): Promise<EncodedImage> {
    let entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
    } else {
      entry = encode();
      entry.catch(() => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      });
    }
    this.entries.set(key, entry);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return entry;
  }
}
