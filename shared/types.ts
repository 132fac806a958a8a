// Core data shapes shared by every tier. Runtime validation of the same shapes lives in
// shared/schemas.ts (zod); these interfaces are what the pure functions take and return.

/** COCO run-length encoded mask, exactly as pycocotools emits it (column-major runs, compressed string). */
export interface Rle {
  size: [h: number, w: number];
  counts: string;
}

/** Inclusive integer box (x_min, y_min, x_max, y_max), as SAM's batched_mask_to_box; empty mask → [0,0,0,0]. */
export type BoxXyxy = [x1: number, y1: number, x2: number, y2: number];

/** COCO box [x, y, w, h]. */
export type CocoBox = [x: number, y: number, w: number, h: number];

/**
 * One SAM proposal as the gpu-node sends it to the edge: everything matching, NMS and merging
 * need, and nothing that depends on a memory bank.
 */
export interface Candidate {
  /** SAM predicted IoU of the chosen multimask output (float32 value). */
  iou: number;
  /** Inclusive box of the 256×256 low-res mask (logits > 0). */
  box256: BoxXyxy;
  /** L2-normalised mask embedding (mean of upsampled DINOv2 features over the 256-grid mask). */
  embedding: Float32Array;
  /** Full-resolution mask (logits resized to the original size, > 0). */
  mask: Rle;
}

export interface CandidateSet {
  /** Lower-case hex SHA-256 of the image bytes as received. */
  imageSha256: string;
  width: number;
  height: number;
  /** Identifies the SAM2 + DINOv2 weights (a bank made with other models cannot be matched). */
  modelId: string;
  /** Identifies the proposal preset and every option that changes candidates. */
  pipelineId: string;
  /** Embedding dimension D. */
  dim: number;
  candidates: Candidate[];
}

/** One output instance. */
export interface Detection {
  /** Class index into the prototypes the matching was given. */
  label: number;
  score: number;
  /** Inclusive integer box at original resolution. */
  box: BoxXyxy;
  /** COCO [x,y,w,h]; true extent by default, one pixel short under officialBoxCompat. */
  bbox: CocoBox;
  /** Mask area in pixels at original resolution. */
  area: number;
  mask: Rle;
  /** Index of the proposal in the input (candidate set order). */
  index: number;
}
