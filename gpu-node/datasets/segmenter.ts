// One evaluation image → detections of the bank's classes. `ImageSegmenter` hides whether the
// work runs on models (here or on a gpu-node; then the matching runs here, with the matchBank the
// edge uses too) or on an edge (edge-segmenter.ts).
import { matchBank } from '../../shared/bank/match-bank.ts';
import type { CocoImage } from '../../shared/coco-eval/index.ts';
import { sha256Hex } from '../../shared/encoding/index.ts';
import type { PipelineOptionsInput } from '../../shared/matching/index.ts';
import type { CocoBox, Rle } from '../../shared/types.ts';
import type { DatasetBackend, ProposalChoice } from './backend.ts';
import type { LoadedBank } from './bank-file.ts';
import type { CandidateCache } from './candidate-cache.ts';

export interface BankDetection {
  /** Index of the class in the bank. */
  label: number;
  score: number;
  bbox: CocoBox;
  mask: Rle;
}

export interface SegmentedImage {
  /** Size of the pixel grid the masks refer to. */
  width: number;
  height: number;
  /** Best first. */
  detections: BankDetection[];
  /** Whether the candidate set came from the cache. */
  cached?: boolean;
}

export interface ImageSegmenter {
  /** Everything besides the bank and the image that decides the detections (resume fingerprint). */
  readonly identity: Readonly<Record<string, unknown>>;
  segment(bytes: Uint8Array, image: CocoImage): Promise<SegmentedImage>;
  close(): Promise<void>;
}

export interface ModelSegmenterOptions {
  backend: DatasetBackend;
  bank: LoadedBank;
  proposals: ProposalChoice;
  /** `classes` is set here (the bank's matchable classes). */
  matching: Omit<PipelineOptionsInput, 'classes'>;
  cache?: CandidateCache;
}

export function modelSegmenter(options: ModelSegmenterOptions): ImageSegmenter {
  const { backend, bank, proposals, cache } = options;
  const pipelineId = backend.pipelineId(proposals);
  const matching: PipelineOptionsInput = { ...options.matching, classes: bank.matchable };
  return {
    identity: { via: 'models', modelId: backend.modelId, pipelineId, matching },
    async segment(bytes) {
      const sha = cache === undefined ? undefined : await sha256Hex(bytes);
      const hit = sha === undefined ? undefined : await cache?.get(sha, backend.modelId, pipelineId);
      const set = hit ?? (await backend.candidates(bytes, proposals));
      if (hit === undefined) await cache?.put(set);
      const detections = matchBank(set, bank, matching).map((d) => ({ label: d.label, score: d.score, bbox: d.bbox, mask: d.mask }));
      return { width: set.width, height: set.height, detections, cached: hit !== undefined };
    },
    close: () => backend.close(),
  };
}
