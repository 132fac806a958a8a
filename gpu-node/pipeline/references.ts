// Reference instance vectors (spec/method.md §1.2–§2): the instance mask (given as RLE or
// polygons, or made by SAM2 from a box), the square context crop stretched to 518², DINOv2 patch
// tokens, and their soft-weighted mean — unnormalised; the edge averages them into prototypes.
import { EmptyReferenceError, MalformedBoxError } from '../../shared/errors.ts';
import { annToRle, decodeRle, rleArea, rleToBbox } from '../../shared/coco-mask/index.ts';
import { instanceMean, prepareReference } from '../../shared/bank/index.ts';
import type { CocoBox, Rle } from '../../shared/types.ts';
import type { GpuReferenceAnnotation } from '../../shared/api/gpu-node.ts';
import type { Models, Sam2Embeddings } from '../models/index.ts';
import type { DecodedImage } from '../preprocess/index.ts';
import { EmptyBoxMaskError } from './errors.ts';
import { promptMask } from './prompt-mask.ts';
import { timed } from './stages.ts';
import type { StageObserver } from './stages.ts';
import { samEmbeddings, stretch1024 } from './target.ts';

export interface ReferenceVector {
  class: string;
  /** Unnormalised instance mean, D values. */
  vector: Float32Array;
  /** The mask the vector was pooled under. */
  mask: Rle;
  maskSource: 'given' | 'sam2-box';
  /** SAM2's predicted IoU of its mask (box references only). */
  predictedIou?: number;
}

interface InstanceMask {
  rle: Rle;
  source: ReferenceVector['maskSource'];
  predictedIou?: number;
}

/** SAM2's mask for a COCO box (the preview's path, so a previewed box is the mask stored). */
async function boxMask(models: Pick<Models, 'sam2'>, emb: Sam2Embeddings, image: DecodedImage, box: CocoBox, observe?: StageObserver): Promise<InstanceMask> {
  const { rle, predictedIou } = await promptMask(models, emb, image, { box }, observe);
  return { rle, source: 'sam2-box', predictedIou };
}

/**
 * One vector per annotation, in order. The image is SAM2-encoded once, and only when some
 * annotation is a box. Throws EmptyReferenceError (422) for a mask that covers no patch sample
 * point of its crop, EmptyBoxMaskError (422) when SAM2 finds nothing in a box.
 */
export async function referenceVectors(
  models: Pick<Models, 'sam2' | 'dino' | 'info'>,
  image: DecodedImage,
  annotations: readonly GpuReferenceAnnotation[],
  observe?: StageObserver,
): Promise<ReferenceVector[]> {
  const { width, height } = image;
  let embeddings: Promise<Sam2Embeddings> | undefined;
  const encoded = () => (embeddings ??= stretch1024(image, observe).then((x1024) => samEmbeddings(models, x1024, observe)));
  const out: ReferenceVector[] = [];
  for (const [i, a] of annotations.entries()) {
    const field = `annotations[${i}]`;
    const instance: InstanceMask =
      a.box !== undefined
        ? await boxMask(models, await encoded(), image, a.box, observe)
        : { rle: annToRle((a.mask ?? a.polygons)!, height, width), source: 'given' };
    if (rleArea(instance.rle) === 0) {
      throw a.box !== undefined
        ? new EmptyBoxMaskError(`SAM2 found no object in the box ${JSON.stringify(a.box)}.`, { field })
        : new EmptyReferenceError('The reference mask is empty.', { field });
    }
    const bbox = a.box ?? a.bbox ?? rleToBbox(instance.rle);
    const prepared = await timed(observe, 'reference-crop', () => {
      try {
        return prepareReference(image.data, width, height, decodeRle(instance.rle), bbox);
      } catch (err) {
        if (err instanceof EmptyReferenceError) throw new EmptyReferenceError(undefined, { field, cause: err });
        if (err instanceof MalformedBoxError) throw new MalformedBoxError(err.detail, { field, cause: err });
        throw err;
      }
    });
    const patches = await timed(observe, 'dinov2', () => models.dino.patchFeatures(prepared.input));
    // prepareReference refused all-zero weights, so the mean exists.
    const mean = instanceMean(patches, prepared.weights37, models.info.dino.dim)!;
    out.push({
      class: a.class,
      vector: Float32Array.from(mean),
      mask: instance.rle,
      maskSource: instance.source,
      ...(instance.predictedIou === undefined ? {} : { predictedIou: instance.predictedIou }),
    });
  }
  return out;
}
