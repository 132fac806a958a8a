// Compares two candidate sets made from the same image by two runtimes, and the detections the
// shared matching makes of each: what "same answers" means for the on-device backend.
import { expect } from 'vitest';
import { decodeRle } from '../../shared/coco-mask/codec.ts';
import { matchCandidates } from '../../shared/matching/index.ts';
import type { CandidateSet } from '../../shared/types.ts';

export interface SetDifference {
  /** Largest |a − b| over every embedding value. */
  maxEmbeddingDiff: number;
  /** Largest |a − b| over the predicted IoUs. */
  maxIouDiff: number;
  /** Full-resolution mask pixels that differ, over all candidates. */
  maskPixelsDiff: number;
  /** Candidates whose low-res box differs. */
  boxesDiff: number;
}

function differingPixels(a: Parameters<typeof decodeRle>[0], b: Parameters<typeof decodeRle>[0]): number {
  const [da, db] = [decodeRle(a), decodeRle(b)];
  let n = 0;
  for (let i = 0; i < da.length; i++) if (da[i] !== db[i]) n++;
  return n;
}

export interface Tolerance {
  /** Largest |a − b| of an embedding value or IoU. Default 1e-4. */
  values?: number;
  /**
   * Share of the compared mask pixels allowed to differ. Default 0. A full-resolution pixel is
   * `upsampled logit > 0`, so one whose logit lies within the runtimes' float difference (~1e-6)
   * of 0 can flip; see docs/on-device.md.
   */
  maskPixels?: number;
}

/** Same identity, same masks and boxes, embeddings within tolerance; returns the differences seen. */
export function expectSameCandidates(web: CandidateSet, node: CandidateSet, tolerance: Tolerance = {}): SetDifference {
  const values = tolerance.values ?? 1e-4;
  const { candidates: a, ...idA } = web;
  const { candidates: b, ...idB } = node;
  expect(idA).toEqual(idB);
  expect(a.length).toBe(b.length);
  let maxEmbeddingDiff = 0;
  let maxIouDiff = 0;
  let maskPixelsDiff = 0;
  let boxesDiff = 0;
  for (let i = 0; i < a.length; i++) {
    maskPixelsDiff += differingPixels(a[i].mask, b[i].mask);
    if (a[i].box256.some((v, j) => v !== b[i].box256[j])) boxesDiff++;
    maxIouDiff = Math.max(maxIouDiff, Math.abs(a[i].iou - b[i].iou));
    const [ea, eb] = [a[i].embedding, b[i].embedding];
    expect(ea.length).toBe(eb.length);
    for (let j = 0; j < ea.length; j++) maxEmbeddingDiff = Math.max(maxEmbeddingDiff, Math.abs(ea[j] - eb[j]));
  }
  const diff = { maxEmbeddingDiff, maxIouDiff, maskPixelsDiff, boxesDiff };
  const pixels = a.length * web.width * web.height;
  expect(boxesDiff).toBe(0);
  expect(maskPixelsDiff).toBeLessThanOrEqual(Math.floor((tolerance.maskPixels ?? 0) * pixels));
  expect(maxEmbeddingDiff).toBeLessThanOrEqual(values);
  expect(maxIouDiff).toBeLessThanOrEqual(values);
  return diff;
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * Detections of both sets against two prototypes from the node set: its first candidate and the
 * candidate least like it, so no detection sits on a near tie between the classes (a tie broken
 * by a 1e-7 difference would say nothing about the runtimes).
 */
export async function expectSameDetections(web: CandidateSet, node: CandidateSet, tolerance: Tolerance = {}): Promise<number> {
  const first = node.candidates[0].embedding;
  const far = node.candidates.reduce((best, c) => (dot(c.embedding, first) < dot(best.embedding, first) ? c : best)).embedding;
  const prototypes = [first, far];
  const [dw, dn] = [await matchCandidates(web, prototypes), await matchCandidates(node, prototypes)];
  expect(dw.map((d) => [d.index, d.label, d.box])).toEqual(dn.map((d) => [d.index, d.label, d.box]));
  const allowed = Math.floor((tolerance.maskPixels ?? 0) * dn.length * node.width * node.height);
  expect(dw.reduce((n, d, i) => n + differingPixels(d.mask, dn[i].mask), 0)).toBeLessThanOrEqual(allowed);
  for (let i = 0; i < dw.length; i++) expect(Math.abs(dw[i].score - dn[i].score)).toBeLessThanOrEqual(1e-4);
  return dn.length;
}
