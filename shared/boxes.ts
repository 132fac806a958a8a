// Box operations of the official pipeline: SAM's inclusive mask box, the COCO box made from it,
// and torchvision's class-aware batched NMS (spec/method.md §3.5, fixtures nms/).
import { InternalError } from './errors.ts';
import type { BoxXyxy, CocoBox } from './types.ts';

/** Box functions were given arrays that do not fit together: a caller bug, not bad user input. */
export class BoxArgumentError extends InternalError {}

/**
 * Inclusive integer box of a row-major 0/1 mask, as SAM's batched_mask_to_box: the min/max row and
 * column holding a set pixel; an empty mask gives [0,0,0,0].
 */
export function maskToBoxInclusive(mask: Uint8Array, h: number, w: number): BoxXyxy {
  if (mask.length !== h * w) throw new BoxArgumentError(`mask has ${mask.length} values, ${h}×${w} needs ${h * w}`);
  let x1 = w;
  let x2 = -1;
  let y1 = -1;
  let y2 = -1;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let first = 0;
    while (first < w && mask[row + first] === 0) first++;
    if (first === w) continue;
    let last = w - 1;
    while (mask[row + last] === 0) last--;
    if (y1 < 0) y1 = y;
    y2 = y;
    if (first < x1) x1 = first;
    if (last > x2) x2 = last;
  }
  return y1 < 0 ? [0, 0, 0, 0] : [x1, y1, x2, y2];
}

/**
 * Writes a box into flat storage at `at` (four stores: TypedArray.set from a plain array goes
 * through a generic builtin, ten times slower per box on the matching path).
 */
export function putBox(into: Float32Array | Float64Array, at: number, box: BoxXyxy): void {
  into[at] = box[0];
  into[at + 1] = box[1];
  into[at + 2] = box[2];
  into[at + 3] = box[3];
}

/**
 * COCO [x, y, w, h] of an inclusive box. The true extent counts both edge pixels; the official
 * code reports x2−x1 (one pixel short), reproduced only under `officialCompat` for benchmark parity.
 */
export function cocoBoxFromInclusive(box: BoxXyxy, officialCompat: boolean): CocoBox {
  const [x1, y1, x2, y2] = box;
  const extra = officialCompat ? 0 : 1;
  return [x1, y1, x2 - x1 + extra, y2 - y1 + extra];
}

/**
 * torchvision on CPU runs one NMS over label-offset boxes up to this many box values and a
 * per-label loop above it; the offsets change float32 rounding, so both paths are reproduced.
 */
const COORDINATE_TRICK_MAX_NUMEL = 4000;

/**
 * Class-aware greedy NMS, identical to torchvision.ops.batched_nms on CPU: returns the kept input
 * indices in decreasing score order (ties by lower index). IoU uses area (x2−x1)(y2−y1) in float32;
 * a box is suppressed when its IoU with a kept, higher-scored box of the same label is strictly
 * greater than the threshold, so zero-area boxes (0/0 = NaN) never suppress nor get suppressed.
 * Labels are kept strictly apart even for negative coordinates (where torchvision's offset trick
 * could let classes overlap; boxes from masks are never negative).
 */
export function batchedNms(
  boxes: Float32Array,
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  iouThreshold: number,
): Int32Array {
  const n = scores.length;
  if (boxes.length !== 4 * n) throw new BoxArgumentError(`boxes has ${boxes.length} values, ${n} scores need ${4 * n}`);
  if (labels.length !== n) throw new BoxArgumentError(`labels has ${labels.length} entries, scores has ${n}`);
  // A negative threshold would make disjoint boxes suppress each other (0 > thr), which the
  // overlap shortcut below does not model; no caller needs it.
  if (!(iouThreshold >= 0)) throw new BoxArgumentError(`iouThreshold must be ≥ 0, got ${iouThreshold}`);
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(scores[i])) throw new BoxArgumentError(`score ${i} is NaN`);
  }
  if (n === 0) return new Int32Array(0);

  const coords = 4 * n > COORDINATE_TRICK_MAX_NUMEL ? boxes : offsetByLabel(boxes, labels);
  const areas = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const b = 4 * i;
    areas[i] = Math.fround(coords[b + 2] - coords[b]) * Math.fround(coords[b + 3] - coords[b + 1]);
  }

  const order = orderByScoreDesc(scores);
  const groups = groupByLabel(order, labels);
  const sorted = new SortedBoxes(groups.members, coords, areas);
  for (let g = 0; g + 1 < groups.starts.length; g++) suppressWithin(sorted, groups.starts[g], groups.starts[g + 1], iouThreshold);

  const suppressed = new Uint8Array(n);
  for (let p = 0; p < n; p++) if (sorted.dead[p] !== 0) suppressed[groups.members[p]] = 1;
  const keep = new Int32Array(n);
  let kept = 0;
  for (let k = 0; k < n; k++) if (suppressed[order[k]] === 0) keep[kept++] = order[k];
  return keep.slice(0, kept);
}

/** torchvision's coordinate trick in float32: box + label·(max coordinate + 1). */
function offsetByLabel(boxes: Float32Array, labels: ArrayLike<number>): Float32Array {
  let max = -Infinity;
  for (let i = 0; i < boxes.length; i++) if (boxes[i] > max) max = boxes[i];
  const step = Math.fround(max + 1);
  const out = new Float32Array(boxes.length);
  for (let i = 0; i < labels.length; i++) {
    const offset = Math.fround(Math.fround(labels[i]) * step);
    for (let k = 4 * i; k < 4 * i + 4; k++) out[k] = boxes[k] + offset;
  }
  return out;
}

/**
 * Indices by decreasing score, ties by lower index (scores are not NaN). A bottom-up merge sort,
 * stable, with the comparison inline: a comparator sort spends most of its time calling it.
 */
export function orderByScoreDesc(scores: ArrayLike<number>): Int32Array {
  const n = scores.length;
  const key = Float64Array.from(scores);
  let order = new Int32Array(n);
  let spare = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let a = lo;
      let b = mid;
      let out = lo;
      // Equal scores take the left run first: the earlier index stays first.
      while (a < mid && b < hi) spare[out++] = key[order[b]] > key[order[a]] ? order[b++] : order[a++];
      while (a < mid) spare[out++] = order[a++];
      while (b < hi) spare[out++] = order[b++];
    }
    [order, spare] = [spare, order];
  }
  return order;
}

/** Indices grouped by label, each group in the given (score) order: members[starts[g]..starts[g+1]). */
function groupByLabel(order: Int32Array, labels: ArrayLike<number>): { members: Int32Array; starts: Int32Array } {
  const slotOf = new Map<number, number>();
  const counts: number[] = [];
  const slots = new Int32Array(order.length);
  for (let k = 0; k < order.length; k++) {
    const label = labels[order[k]];
    let slot = slotOf.get(label);
    if (slot === undefined) {
      slot = counts.length;
      slotOf.set(label, slot);
      counts.push(0);
    }
    slots[k] = slot;
    counts[slot]++;
  }
  const starts = new Int32Array(counts.length + 1);
  for (let s = 0; s < counts.length; s++) starts[s + 1] = starts[s] + counts[s];
  const fill = starts.slice(0, counts.length);
  const members = new Int32Array(order.length);
  for (let k = 0; k < order.length; k++) members[fill[slots[k]]++] = order[k];
  return { members, starts };
}

/**
 * Boxes, areas and suppression flags in grouped score order (position p holds box members[p]),
 * contiguous so the inner loop is the hot path at n in the thousands.
 */
class SortedBoxes {
  readonly x1: Float64Array;
  readonly y1: Float64Array;
  readonly x2: Float64Array;
  readonly y2: Float64Array;
  readonly area: Float64Array;
  readonly dead: Uint8Array;

  constructor(members: Int32Array, coords: Float32Array, areas: Float32Array) {
    const n = members.length;
    this.x1 = new Float64Array(n);
    this.y1 = new Float64Array(n);
    this.x2 = new Float64Array(n);
    this.y2 = new Float64Array(n);
    this.area = new Float64Array(n);
    this.dead = new Uint8Array(n);
    for (let p = 0; p < n; p++) {
      const i = members[p];
      this.x1[p] = coords[4 * i];
      this.y1[p] = coords[4 * i + 1];
      this.x2[p] = coords[4 * i + 2];
      this.y2[p] = coords[4 * i + 3];
      this.area[p] = areas[i];
    }
  }
}

/** Greedy suppression inside one label (positions from…to), float32 arithmetic as torchvision's CPU kernel. */
function suppressWithin(boxes: SortedBoxes, from: number, to: number, iouThreshold: number): void {
  const { x1, y1, x2, y2, area, dead } = boxes;
  for (let a = from; a < to; a++) {
    if (dead[a] !== 0) continue;
    const ix1 = x1[a];
    const iy1 = y1[a];
    const ix2 = x2[a];
    const iy2 = y2[a];
    const iarea = area[a];
    for (let b = a + 1; b < to; b++) {
      if (dead[b] !== 0) continue;
      const xx1 = ix1 > x1[b] ? ix1 : x1[b];
      const xx2 = ix2 < x2[b] ? ix2 : x2[b];
      if (xx2 <= xx1) continue;
      const yy1 = iy1 > y1[b] ? iy1 : y1[b];
      const yy2 = iy2 < y2[b] ? iy2 : y2[b];
      if (yy2 <= yy1) continue;
      // No overlap means IoU 0 (or 0/0 = NaN), never above a threshold ≥ 0: skipped above.
      const inter = Math.fround(Math.fround(xx2 - xx1) * Math.fround(yy2 - yy1));
      const iou = Math.fround(inter / Math.fround(Math.fround(iarea + area[b]) - inter));
      if (iou > iouThreshold) dead[b] = 1;
    }
  }
}
