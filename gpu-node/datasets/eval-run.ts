// The evaluation loop of `refseg eval`: every image in turn, finished ones taken from the progress
// log, new ones segmented and logged at once, so an interrupted run (Ctrl-C, --max-images, a crash)
// continues where it stopped and ends with the same results as an uninterrupted one.
import type { CocoImage, CocoResult } from '../../shared/coco-eval/index.ts';
import { sha256Hex } from '../../shared/encoding/index.ts';
import { DatasetError } from './errors.ts';
import { imagePath, readImage } from './images.ts';
import type { ProgressLog } from './progress-log.ts';
import type { BankDetection, ImageSegmenter } from './segmenter.ts';

export interface EvalRunOptions {
  /** In evaluation order. */
  images: readonly CocoImage[];
  imagesDir: string;
  segmenter: ImageSegmenter;
  /** Category id of each bank label. */
  categoryIds: readonly number[];
  log: ProgressLog;
  fingerprint: string;
  /** Segment at most this many images in this run, then stop (the rest is left for the next run). */
  maxImages?: number;
  /** Stops before the next image. */
  signal?: AbortSignal;
  onProgress?: (state: EvalProgress) => void;
}

export interface EvalProgress {
  /** Images finished, in this run or before. */
  done: number;
  total: number;
  /** Segmented in this run. */
  segmented: number;
  /** Taken from the progress log. */
  reused: number;
  /** Of `segmented`, how many found their candidate set in the cache. */
  cached: number;
}

export interface EvalRunResult extends EvalProgress {
  /** Results of the finished images, in image order. */
  results: CocoResult[];
  complete: boolean;
  stoppedBy?: 'max-images' | 'signal';
}

/** Detections → COCO results (the official encode_results, spec/method.md §5.1). */
export function cocoResults(imageId: number, detections: readonly BankDetection[], categoryIds: readonly number[]): CocoResult[] {
  return detections.map((d) => ({ image_id: imageId, category_id: categoryIds[d.label], bbox: [...d.bbox], score: d.score, segmentation: d.mask }));
}

export async function runEvaluation(options: EvalRunOptions): Promise<EvalRunResult> {
  const { images, imagesDir, segmenter, log } = options;
  const state: EvalProgress = { done: 0, total: images.length, segmented: 0, reused: 0, cached: 0 };
  const results: CocoResult[] = [];
  let stoppedBy: EvalRunResult['stoppedBy'];
  for (const image of images) {
    const bytes = await readImage(imagesDir, image);
    const sha256 = await sha256Hex(bytes);
    const prior = log.done.get(image.id);
    if (prior !== undefined && prior.sha256 === sha256) {
      results.push(...prior.results);
      state.reused++;
    } else {
      if (options.signal?.aborted) {
        stoppedBy = 'signal';
        break;
      }
      if (options.maxImages !== undefined && state.segmented >= options.maxImages) {
        stoppedBy = 'max-images';
        break;
      }
      const out = await segmenter.segment(bytes, image);
      if (out.width !== image.width || out.height !== image.height) {
        throw new DatasetError(
          `Image ${image.id} (${imagePath(imagesDir, image)}) is ${out.width}×${out.height} pixels, but the COCO file says ${image.width}×${image.height}.`,
        );
      }
      const imageResults = cocoResults(image.id, out.detections, options.categoryIds);
      await log.append({ fingerprint: options.fingerprint, image_id: image.id, sha256, results: imageResults });
      results.push(...imageResults);
      state.segmented++;
      if (out.cached) state.cached++;
    }
    state.done++;
    options.onProgress?.({ ...state });
  }
  return { ...state, results, complete: state.done === state.total, ...(stoppedBy === undefined ? {} : { stoppedBy }) };
}
