// The evaluation loop of `refseg eval`: every image in turn, finished ones taken from the progress
// log, new ones segmented and logged at once, so an interrupted run (Ctrl-C, --max-images, a crash)
// continues where it stopped and ends with the same results as an uninterrupted one. Up to
// `inFlight` images are segmented at once, so a pipelined backend (gpu-node/pipeline/scheduler.ts)
// encodes the next image while it decodes this one; results are still logged in image order.
import type { CocoImage, CocoResult } from '../../shared/coco-eval/index.ts';
import { sha256Hex } from '../../shared/encoding/index.ts';
import { DatasetError } from './errors.ts';
import { imagePath, readImage } from './images.ts';
import type { ProgressLog } from './progress-log.ts';
import type { BankDetection, ImageSegmenter, SegmentedImage } from './segmenter.ts';

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
  /** Stops before the next image (the images already started finish and are logged). */
  signal?: AbortSignal;
  /** Images being segmented at once (default 1: one at a time). */
  inFlight?: number;
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
  const inFlight = Math.max(1, options.inFlight ?? 1);
  const state: EvalProgress = { done: 0, total: images.length, segmented: 0, reused: 0, cached: 0 };
  const results: CocoResult[] = [];
  let stoppedBy: EvalRunResult['stoppedBy'];
  let started = 0;
  const window: { image: CocoImage; sha256: string; out: Promise<SegmentedImage> }[] = [];
  const finished = () => {
    state.done++;
    options.onProgress?.({ ...state });
  };
  // The oldest image started: its results, logged before any later image's.
  const settle = async () => {
    const { image, sha256, out: pending } = window.shift()!;
    const out = await pending;
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
    finished();
  };
  for (const image of images) {
    const bytes = await readImage(imagesDir, image);
    const sha256 = await sha256Hex(bytes);
    const prior = log.done.get(image.id);
    if (prior !== undefined && prior.sha256 === sha256) {
      while (window.length > 0) await settle();
      results.push(...prior.results);
      state.reused++;
      finished();
      continue;
    }
    if (options.signal?.aborted) {
      stoppedBy = 'signal';
      break;
    }
    if (options.maxImages !== undefined && started >= options.maxImages) {
      stoppedBy = 'max-images';
      break;
    }
    const out = segmenter.segment(bytes, image);
    // Awaited in settle(); an image failing while an earlier one is awaited is not unhandled.
    out.catch(() => {});
    window.push({ image, sha256, out });
    started++;
    if (window.length >= inFlight) await settle();
  }
  while (window.length > 0) await settle();
  return { ...state, results, complete: state.done === state.total, ...(stoppedBy === undefined ? {} : { stoppedBy }) };
}
