// Checked access to the runs of an Rle. Every operation decodes through here, so a counts
// string that does not tile its h×w mask exactly (which would make pycocotools' merge and IoU
// walks loop forever or read past the end) is refused before any walk starts.
import type { Rle } from '../types.ts';
import { stringToCounts } from './counts-string.ts';
import { MaskSizeMismatchError, RleFormatError } from './errors.ts';

/** Largest pixel count whose runs fit pycocotools' uint32 counts. */
const MAX_PIXELS = 0xffffffff;

/** Validates a mask size (non-negative integers, h·w representable as uint32) and returns h·w. */
export function pixelCount(h: number, w: number): number {
  if (!Number.isInteger(h) || !Number.isInteger(w) || h < 0 || w < 0 || h * w > MAX_PIXELS) {
    throw new RleFormatError(`mask size ${h}×${w} is not a pair of non-negative integers with h·w < 2^32`);
  }
  return h * w;
}

function countsSum(counts: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < counts.length; i++) sum += counts[i];
  return sum;
}

/** Whether the runs add up to exactly h·w pixels. */
export function countsTile(counts: ArrayLike<number>, h: number, w: number): boolean {
  return countsSum(counts) === h * w;
}

/** Throws unless the runs add up to exactly h·w pixels. */
export function checkCountsTile(counts: ArrayLike<number>, h: number, w: number): void {
  const sum = countsSum(counts);
  if (sum !== h * w) throw new RleFormatError(`runs cover ${sum} pixels but the mask is ${h}×${w} = ${h * w}`);
}

/** [h, w] of a well-formed RLE object (size checked as pixelCount does); throws RleFormatError otherwise. */
export function sizeOf(rle: Rle): [number, number] {
  const size = rle?.size;
  if (!Array.isArray(size) || size.length !== 2 || typeof rle.counts !== 'string') {
    throw new RleFormatError('an RLE is {size: [h, w], counts: string}');
  }
  pixelCount(size[0], size[1]);
  return [size[0], size[1]];
}

/** The runs of a compressed RLE, validated against its size (a fresh array the caller owns). */
export function rleCounts(rle: Rle): Uint32Array {
  const [h, w] = sizeOf(rle);
  const counts = stringToCounts(rle.counts);
  checkCountsTile(counts, h, w);
  return counts;
}

interface CacheEntry {
  counts: string;
  h: number;
  w: number;
  runs: Uint32Array;
}

// The matcher intersects each mask with many others; decoding its string once per Rle object
// (re-checked against the string and size, so a mutated object is decoded again) keeps that cheap.
const cache = new WeakMap<Rle, CacheEntry>();

/** Like rleCounts but shared between calls on the same Rle object: callers must not modify it. */
export function cachedCounts(rle: Rle): Uint32Array {
  const hit = cache.get(rle);
  if (hit !== undefined && hit.counts === rle.counts && hit.h === rle.size?.[0] && hit.w === rle.size?.[1]) return hit.runs;
  const runs = rleCounts(rle);
  cache.set(rle, { counts: rle.counts, h: rle.size[0], w: rle.size[1], runs });
  return runs;
}

/** Throws unless all masks have the same [h, w]. */
export function checkSameSize(rles: readonly Rle[], what: string): void {
  if (rles.length === 0) return;
  const [h, w] = rles[0].size;
  for (let i = 1; i < rles.length; i++) {
    const [hi, wi] = rles[i].size;
    if (hi !== h || wi !== w) {
      throw new MaskSizeMismatchError(`${what}: mask ${i} is ${hi}×${wi}, mask 0 is ${h}×${w} (h×w)`);
    }
  }
}
