import { describe, expect, it } from 'vitest';
import { encodeMask, rleCounts, runEnds } from '../coco-mask/index.ts';
import { maskToBoxInclusive } from '../boxes.ts';
import type { BoxXyxy } from '../types.ts';
import type { FullResMask } from './fullres-mask.ts';
import { resolvePipelineOptions } from './options.ts';
import type { PipelineOptionsInput } from './options.ts';
import { rankAndMerge } from './rank-merge.ts';
import type { LabelledCandidate } from './rank-merge.ts';

const H = 20;
const W = 30;

function rectMask(x1: number, y1: number, x2: number, y2: number): FullResMask {
  const m = new Uint8Array(H * W);
  for (let y = y1; y <= y2; y++) m.fill(1, y * W + x1, y * W + x2 + 1);
  const rle = encodeMask(m, H, W);
  return { rle, ends: runEnds(rleCounts(rle)), area: m.reduce((a, b) => a + b, 0), box: maskToBoxInclusive(m, H, W) };
}

const EMPTY = rectMask(0, 0, -1, -1);

interface Spec {
  iou: number;
  label: number;
  score: number;
  box256: BoxXyxy;
  mask: FullResMask;
  embedding?: number[];
}

function run(specs: Spec[], options: PipelineOptionsInput = {}) {
  const asked: number[] = [];
  const candidates: LabelledCandidate[] = specs.map((s, k) => ({
    index: 100 + k,
    iou: s.iou,
    box256: s.box256,
    label: s.label,
    score: s.score,
    embedding: Float32Array.from(s.embedding ?? [1, 0]),
  }));
  const trace = rankAndMerge(
    candidates,
    (k) => {
      asked.push(k);
      return specs[k].mask;
    },
    resolvePipelineOptions(options),
  );
  return { ...trace, asked };
}

describe('NMS, filter, merge and selection', () => {
  it('ranks NMS by SAM IoU, not by score, and keeps labels apart', () => {
    const t = run([
      { iou: 0.9, label: 0, score: 0.3, box256: [0, 0, 10, 10], mask: rectMask(0, 0, 4, 4) },
      { iou: 0.8, label: 0, score: 0.9, box256: [0, 0, 10, 11], mask: rectMask(10, 10, 14, 14) },
      { iou: 0.85, label: 1, score: 0.5, box256: [0, 0, 10, 11], mask: rectMask(20, 10, 24, 14) },
    ]);
    expect(t.nmsKeep).toEqual([100, 102]);
    expect(t.posKeep).toEqual([100, 102]);
    expect(t.detections.map((d) => [d.index, d.label, d.score])).toEqual([
      [102, 1, 0.5],
      [100, 0, 0.3],
    ]);
  });

  it('cuts to preMergeCap before dropping non-positive scores, and renders survivors only', () => {
    const specs: Spec[] = [
      { iou: 0.9, label: 0, score: 0, box256: [0, 0, 5, 5], mask: rectMask(0, 0, 3, 3) },
      { iou: 0.7, label: 1, score: 0.6, box256: [50, 50, 60, 60], mask: rectMask(5, 5, 8, 8) },
      { iou: 0.8, label: 1, score: 0.4, box256: [100, 100, 120, 120], mask: rectMask(10, 5, 12, 8) },
    ];
    const capped = run(specs, { preMergeCap: 1 });
    expect(capped.nmsKeep).toEqual([100]);
    expect(capped.posKeep).toEqual([]);
    expect(capped.detections).toEqual([]);
    expect(capped.asked).toEqual([]);
    const all = run(specs);
    expect(all.posKeep).toEqual([102, 101]);
    expect(all.asked).toEqual([2, 1]);
  });

  it('drops a candidate whose full-resolution mask is empty, after NMS, without touching the others', () => {
    const t = run([
      { iou: 0.9, label: 0, score: 0.8, box256: [0, 0, 2, 2], mask: EMPTY },
      { iou: 0.8, label: 0, score: 0.7, box256: [0, 0, 3, 3], mask: rectMask(0, 0, 5, 5) },
      { iou: 0.6, label: 0, score: 0.6, box256: [40, 40, 60, 60], mask: rectMask(0, 0, 2, 5) },
    ]);
    // [0,0,2,2] vs [0,0,3,3]: IoU 4/9 ≤ 0.5, both kept by NMS.
    expect(t.nmsKeep).toEqual([100, 101, 102]);
    expect(t.posKeep).toEqual([100, 101, 102]);
    expect(t.merge.map((m) => m.index)).toEqual([101, 102]);
    expect(t.merge[1].ios).toBeCloseTo(1, 12);
    expect(t.merge[1].finalScore).toBe(0);
    expect(t.detections.map((d) => d.index)).toEqual([101, 102]);
  });

  it('applies the class and global thresholds to final scores, then the top-K cut, stably', () => {
    const specs: Spec[] = [0.9, 0.5, 0.5, 0.3, 0.2].map((score, k) => ({
      iou: 0.9 - k * 0.1,
      label: k % 2,
      score,
      box256: [k * 40, 0, k * 40 + 10, 10],
      mask: rectMask(k * 5, 0, k * 5 + 3, 3),
    }));
    expect(run(specs).detections.map((d) => d.index)).toEqual([100, 101, 102, 103, 104]);
    expect(run(specs, { scoreThreshold: 0.5 }).detections.map((d) => d.index)).toEqual([100, 101, 102]);
    // Class 1 (indices 101, 103) at 0.25, class 0 falls back to the global 0.5.
    expect(run(specs, { scoreThreshold: 0.5, classThresholds: { 1: 0.25 } }).detections.map((d) => d.index)).toEqual([100, 101, 102, 103]);
    expect(run(specs, { maxDetections: 2 }).detections.map((d) => d.index)).toEqual([100, 101]);
    expect(run(specs, { maxDetections: 0 }).detections).toEqual([]);
  });

  it('reports true COCO boxes by default and the official one-pixel-short ones on request', () => {
    const specs: Spec[] = [{ iou: 0.9, label: 3, score: 0.7, box256: [0, 0, 9, 9], mask: rectMask(4, 2, 9, 12) }];
    const [d] = run(specs).detections;
    expect(d).toEqual({ label: 3, score: 0.7, box: [4, 2, 9, 12], bbox: [4, 2, 6, 11], area: 66, mask: specs[0].mask.rle, index: 100 });
    expect(run(specs, { officialBoxCompat: true }).detections[0].bbox).toEqual([4, 2, 5, 10]);
  });

  it('a score-0 candidate suppresses its class in NMS, unless zeroScoreLabel is exclude', () => {
    const specs: Spec[] = [
      { iou: 0.96, label: 1, score: 0, box256: [0, 0, 10, 10], mask: rectMask(0, 0, 4, 4) },
      { iou: 0.7, label: 1, score: 0.6, box256: [0, 0, 10, 11], mask: rectMask(0, 0, 4, 5) },
      { iou: 0.6, label: 0, score: 0.5, box256: [40, 40, 50, 50], mask: rectMask(10, 10, 14, 14) },
    ];
    const official = run(specs);
    expect(official.nmsKeep).toEqual([100, 102]);
    expect(official.detections.map((d) => d.index)).toEqual([102]);
    const excluded = run(specs, { zeroScoreLabel: 'exclude' });
    expect(excluded.nmsKeep).toEqual([101, 102]);
    expect(excluded.posKeep).toEqual([101, 102]);
    expect(excluded.detections.map((d) => [d.index, d.label, d.score])).toEqual([
      [101, 1, 0.6],
      [102, 0, 0.5],
    ]);
    expect(excluded.asked).toEqual([1, 2]);
    // Out of NMS means out of the pre-merge cap too.
    expect(run(specs, { preMergeCap: 1 }).detections).toEqual([]);
    expect(run(specs, { preMergeCap: 1, zeroScoreLabel: 'exclude' }).detections.map((d) => d.index)).toEqual([101]);
  });
});
