// Golden runner for the official post-model pipeline (fixtures README §3.4): every intermediate of
// traceOfficial against the fixture, the documented deviations where the official code gives NaN
// or raises, and the split path (extractCandidates then matchCandidates) against the monolithic one.
import { expect } from 'vitest';
import { rleToBbox } from '../../shared/coco-mask/index.ts';
import {
  extractCandidates,
  segmentOfficial,
  traceMatch,
  traceOfficial,
} from '../../shared/matching/index.ts';
import type { MergeEntry, OfficialInput, OfficialTrace, PipelineOptionsInput } from '../../shared/matching/index.ts';
import type { BoxXyxy, CocoBox, Detection, Rle } from '../../shared/types.ts';
import { describeGolden, expectClose } from './fixtures.ts';
import { officialInput } from './pipeline-input.ts';
import type { GoldenCase, NdArray } from './fixtures.ts';

/** Fixture tolerance for values the official code computes in float32. */
const TOL = 1e-5;
/** Official pre-merge cap (num_out_instance · expand_ratio) and output size. */
const OFFICIAL_CAP = 800;
const OFFICIAL_TOP = 100;

interface ExpectedMerge {
  index: number;
  label: number;
  score: number;
  area: number;
  box_xyxy_inclusive: BoxXyxy;
  ios: number | null;
  decay: number | null;
  final_score: number | null;
  mask: Rle;
}

interface ExpectedFinal {
  index: number;
  label: number;
  score: number | null;
  score_is_nan: boolean;
  box_xyxy_inclusive: BoxXyxy;
  coco_bbox_xywh: CocoBox;
  area: number;
  mask: Rle;
}

function row(a: NdArray, i: number): Float64Array {
  const w = a.shape[1];
  return Float64Array.from(a.data.subarray(i * w, (i + 1) * w));
}

function checkProposals(c: GoldenCase, trace: OfficialTrace): void {
  const n: number = c.input.n;
  const embeddings = c.expected.embeddings as NdArray;
  const cosines = c.expected.cosines as NdArray;
  expect(trace.proposals.length).toBe(n);
  c.expected.candidates.forEach((e: { label: number | null; score: number | null; box256_xyxy_inclusive: BoxXyxy; area256: number }, i: number) => {
    const p = trace.proposals[i];
    expect(p.area256, `area256[${i}]`).toBe(e.area256);
    expect(p.box256, `box256[${i}]`).toEqual(e.box256_xyxy_inclusive);
    const g = row(embeddings, i);
    if (e.score === null) {
      // NaN row officially; refseg has no embedding (deviation 2).
      expect(g.every(Number.isNaN), `embedding row ${i} is NaN`).toBe(true);
      expect(p.embedding, `embedding[${i}]`).toBeNull();
      expect(p.score).toBeNull();
      return;
    }
    expect(p.embedding, `embedding[${i}]`).not.toBeNull();
    expectClose(p.embedding!, g, TOL, `embedding[${i}]`);
    expectClose(p.cosines!, row(cosines, i), TOL, `cosines[${i}]`);
    expectClose([p.score!], [e.score], TOL, `score[${i}]`);
    if (e.label !== null) expect(p.label, `label[${i}]`).toBe(e.label);
  });
}

function checkMergeEntry(ours: MergeEntry, e: ExpectedMerge, what: string): void {
  expect(ours.index, `${what} index`).toBe(e.index);
  expect(ours.label, `${what} label`).toBe(e.label);
  expect(ours.area, `${what} area`).toBe(e.area);
  expect(ours.box, `${what} box`).toEqual(e.box_xyxy_inclusive);
  expect(ours.mask.size, `${what} mask size`).toEqual(e.mask.size);
  expect(ours.mask.counts, `${what} mask counts`).toBe(e.mask.counts);
  expectClose([ours.score, ours.ios, ours.decay, ours.finalScore], [e.score, e.ios!, e.decay!, e.final_score!], TOL, `${what} score/ios/decay/final`);
}

function checkDetection(d: Detection, e: ExpectedFinal, what: string): void {
  expect(d.index, `${what} index`).toBe(e.index);
  expect(d.label, `${what} label`).toBe(e.label);
  expect(d.area, `${what} area`).toBe(e.area);
  expect(d.box, `${what} box`).toEqual(e.box_xyxy_inclusive);
  expect(d.bbox, `${what} coco bbox (officialBoxCompat)`).toEqual(e.coco_bbox_xywh);
  expect(d.mask.counts, `${what} mask`).toBe(e.mask.counts);
  expect(d.mask.size, `${what} mask size`).toEqual(e.mask.size);
  expectClose([d.score], [e.score!], TOL, `${what} score`);
}

/**
 * The official path with refseg's deviations applied to the fixture: empty 256-grid masks leave
 * the NMS list (so a cut at 800 may admit candidates the fixture never saw: `extra`), and NaN
 * entries (empty full-resolution masks) leave the merge and the output.
 */
function checkOfficial(c: GoldenCase, trace: OfficialTrace): void {
  const n: number = c.input.n;
  const emptyLowRes = new Set<number>();
  c.expected.candidates.forEach((e: { area256: number }, i: number) => e.area256 === 0 && emptyLowRes.add(i));

  const officialKeep: number[] = c.expected.nms_keep;
  const keep = officialKeep.filter((i) => !emptyLowRes.has(i));
  expect(trace.nmsKeep.slice(0, keep.length), 'nms_keep').toEqual(keep);
  const extraSlots = officialKeep.length < Math.min(OFFICIAL_CAP, n) ? 0 : officialKeep.length - keep.length;
  expect(trace.nmsKeep.length - keep.length, 'candidates admitted by the freed cap slots').toBeLessThanOrEqual(extraSlots);
  const extra = new Set(trace.nmsKeep.slice(keep.length));

  expect(trace.posKeep.filter((i) => !extra.has(i)), 'pos_keep').toEqual(c.expected.pos_keep);

  const merge: ExpectedMerge[] = c.expected.merge;
  expect(merge.map((e) => e.index), 'merge order = pos_keep').toEqual(c.expected.pos_keep);
  const finite = merge.filter((e) => e.final_score !== null);
  for (const e of merge) if (e.final_score === null) expect(e.area, `NaN entry ${e.index} has an empty mask`).toBe(0);
  const ours = trace.merge.filter((m) => !extra.has(m.index));
  expect(ours.length, 'merge entries').toBe(finite.length);
  ours.forEach((m, k) => checkMergeEntry(m, finite[k], `merge[${k}]`));

  // Expected output under the deviations: the finite entries by final score (fixture scores are
  // > 2e-6 apart, so the order is defined), top 100, described by the fixture's final entries.
  const finals = new Map<number, ExpectedFinal>();
  for (const f of c.expected.final as ExpectedFinal[]) finals.set(f.index, f);
  const expectedTop: ExpectedFinal[] = [...finite]
    .sort((a, b) => b.final_score! - a.final_score!)
    .slice(0, OFFICIAL_TOP)
    .map((e) => finals.get(e.index) ?? fromMerge(e));
  const officialFinite = (c.expected.final as ExpectedFinal[]).filter((f) => !f.score_is_nan);
  expect(expectedTop.slice(0, officialFinite.length).map((f) => f.index), 'fixture final = finite merge entries by score').toEqual(
    officialFinite.map((f) => f.index),
  );
  if (c.expected.official_raises) expect(trace.detections, 'No masks found → empty list').toEqual([]);

  const dets = trace.detections.filter((d) => !extra.has(d.index));
  expect(trace.detections.length, 'detections').toBe(Math.min(OFFICIAL_TOP, trace.merge.length));
  expect(dets.length, 'detections of fixture candidates').toBeLessThanOrEqual(expectedTop.length);
  if (extra.size === 0) expect(dets.length).toBe(expectedTop.length);
  dets.forEach((d, k) => checkDetection(d, expectedTop[k], `final[${k}]`));
}

function fromMerge(e: ExpectedMerge): ExpectedFinal {
  const [x1, y1, x2, y2] = e.box_xyxy_inclusive;
  return {
    index: e.index,
    label: e.label,
    score: e.final_score,
    score_is_nan: false,
    box_xyxy_inclusive: e.box_xyxy_inclusive,
    coco_bbox_xywh: [x1, y1, x2 - x1, y2 - y1],
    area: e.area,
    mask: e.mask,
  };
}

/** Default boxes: the same detections with true COCO boxes, which are the RLEs' own extents. */
function checkTrueBoxes(input: OfficialInput, compat: Detection[], options: PipelineOptionsInput): void {
  const dets = segmentOfficial(input, { ...options, officialBoxCompat: false });
  expect(dets.length).toBe(compat.length);
  dets.forEach((d, k) => {
    const [x1, y1, x2, y2] = d.box;
    expect(d.bbox, `true bbox[${k}]`).toEqual([x1, y1, x2 - x1 + 1, y2 - y1 + 1]);
    expect(d.bbox, `true bbox[${k}] = toBbox(mask)`).toEqual(rleToBbox(d.mask));
    expect({ ...d, bbox: compat[k].bbox }).toEqual(compat[k]);
  });
}

/** (b)∘(a) = monolithic: same labels, masks, boxes, order, and bit-identical scores. */
function checkComposition(c: GoldenCase, input: OfficialInput, options: PipelineOptionsInput, trace: OfficialTrace): void {
  const set = extractCandidates(input, { imageSha256: '0'.repeat(64), modelId: 'fixture', pipelineId: 'official' });
  expect(set.dim).toBe(input.features.dim);
  expect([set.height, set.width]).toEqual([input.height, input.width]);
  // Candidate k is the k-th proposal with a non-empty 256-grid mask.
  const proposalOf = trace.proposals.flatMap((p, i) => (p.area256 > 0 ? [i] : []));
  expect(set.candidates.length).toBe(proposalOf.length);
  set.candidates.forEach((cand, k) => {
    const p = trace.proposals[proposalOf[k]];
    expect(cand.box256).toEqual(p.box256);
    expect(cand.embedding).toEqual(p.embedding);
    expect(cand.iou).toBe(c.input.q.data[proposalOf[k]]);
  });
  const split = traceMatch(set, input.prototypes, options);
  expect(split.nmsKeep.map((k) => proposalOf[k]), 'split nms_keep').toEqual(trace.nmsKeep);
  expect(split.posKeep.map((k) => proposalOf[k]), 'split pos_keep').toEqual(trace.posKeep);
  expect(split.merge.map((m) => ({ ...m, index: proposalOf[m.index] })), 'split merge').toEqual(trace.merge);
  expect(split.detections.map((d) => ({ ...d, index: proposalOf[d.index] })), 'split detections').toEqual(trace.detections);
}

describeGolden('pipeline', (c) => {
  const input = officialInput(c);
  // The fixtures were produced with torch on CPU, so a score-0 candidate's label is torch's CPU
  // tie index (cases 011 and 012 depend on it; zero-score-labels.test.ts checks the other rules).
  const options: PipelineOptionsInput = { officialBoxCompat: true, zeroScoreLabel: 'torch-cpu' };
  const trace = traceOfficial(input, options);
  checkProposals(c, trace);
  checkOfficial(c, trace);
  expect(segmentOfficial(input, options)).toEqual(trace.detections);
  checkTrueBoxes(input, trace.detections, options);
  checkComposition(c, input, options, trace);
});
