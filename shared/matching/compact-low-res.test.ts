// Extraction from the compact form (sign bits + edge logits) equals extraction from the logits it
// was made from: the same 256-grid runs, areas and boxes, and the same full-resolution masks at
// upsampling and downsampling sizes, in any order of reading. The compact form is made here as the
// decoder graph makes it (decoder-best-mask.ts): edge cells are those with a cell of the other sign
// within edgeRadius.
import { describe, expect, it } from 'vitest';
import { compactReader, edgeRadius } from './compact-low-res.ts';
import type { CompactLowRes } from './compact-low-res.ts';
import { ShapeMismatchError } from './errors.ts';
import { extractCandidates } from './extract.ts';
import { createFullResRenderer } from './fullres-mask.ts';
import { scanLowResMask } from './low-res-mask.ts';
import { lowResPlanes } from './low-res-planes.ts';

const S = 256;
const CELLS = S * S;

/** The compact form of dense planes for an edge radius [ry, rx], by 2-D prefix counts of positive cells. */
function compactBatch(logits: Float32Array, [ry, rx]: [number, number]): CompactLowRes {
  const count = logits.length / CELLS;
  const sign = new Uint8Array(count * CELLS / 8);
  const cells: number[] = [];
  const values: number[] = [];
  const prefix = new Int32Array((S + 1) * (S + 1));
  for (let m = 0; m < count; m++) {
    const base = m * CELLS;
    for (let y = 0; y < S; y++) {
      for (let x = 0; x < S; x++) {
        const pos = logits[base + y * S + x] > 0 ? 1 : 0;
        if (pos) sign[(base + y * S + x) >> 3] |= 1 << (x & 7);
        prefix[(y + 1) * (S + 1) + x + 1] = pos + prefix[y * (S + 1) + x + 1] + prefix[(y + 1) * (S + 1) + x] - prefix[y * (S + 1) + x];
      }
    }
    for (let y = 0; y < S; y++) {
      for (let x = 0; x < S; x++) {
        const [y0, y1, x0, x1] = [Math.max(0, y - ry), Math.min(S, y + ry + 1), Math.max(0, x - rx), Math.min(S, x + rx + 1)];
        const positives = prefix[y1 * (S + 1) + x1] - prefix[y0 * (S + 1) + x1] - prefix[y1 * (S + 1) + x0] + prefix[y0 * (S + 1) + x0];
        const mixed = logits[base + y * S + x] > 0 ? positives < (y1 - y0) * (x1 - x0) : positives > 0;
        if (mixed) {
          cells.push(base + y * S + x);
          values.push(logits[base + y * S + x]);
        }
      }
    }
  }
  return { count, sign, edgeCell: Int32Array.from(cells), edgeLogit: Float32Array.from(values) };
}

/** The planes as the decoder hands them out: in batches (here of 5, 0 and the rest). */
function compactOf(logits: Float32Array, radius: [number, number]): CompactLowRes[] {
  return [logits.subarray(0, 5 * CELLS), logits.subarray(0, 0), logits.subarray(5 * CELLS)].map((part) => compactBatch(part, radius));
}

/** Seeded planes: smooth blobs (as SAM's masks), an empty and a full plane, runs on word boundaries, noise. */
function planes(): Float32Array {
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const kinds: ((x: number, y: number) => number)[] = [
    () => -3,
    () => 2,
    (x, y) => (y % 7 === 0 && (x === 0 || x === 31 || x === 32 || x === 63 || x === 64 || x === 255 || (x >= 95 && x <= 160)) ? 1.5 : -0.5),
    (x, y) => (x === 128 && y === 200 ? 0.25 : -1),
    (x, y) => Math.sin(x * 12.9898 + y * 78.233) * 4,
  ];
  for (let b = 0; b < 7; b++) {
    const [cx, cy, r, s] = [random() * 300 - 20, random() * 300 - 20, 10 + random() * 90, 0.2 + random()];
    kinds.push((x, y) => (r - Math.hypot(x + 0.5 - cx, (y + 0.5 - cy) * s)) / 4);
  }
  // Touching the right and bottom borders, and zero logits (not > 0).
  kinds.push((x, y) => (x > 200 || y > 240 ? 3 : x === 100 ? 0 : -2));
  const out = new Float32Array(kinds.length * CELLS);
  kinds.forEach((f, m) => {
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) out[m * CELLS + y * S + x] = f(x, y);
  });
  return out;
}

describe('compact low-res masks', () => {
  const dense = planes();
  const n = dense.length / CELLS;

  it('give the 256-grid runs, areas and boxes of the logits, read from the sign bits', () => {
    const reader = compactReader(compactOf(dense, [1, 1]));
    expect(reader.count).toBe(n);
    let nonEmpty = 0;
    for (let k = 0; k < n; k++) {
      const want = scanLowResMask(dense, k);
      expect(reader.scan(k)).toEqual(want);
      if (want.area > 0) nonEmpty++;
    }
    expect(nonEmpty).toBe(n - 1);
    expect(reader.scan(1).area).toBe(CELLS);
    expect(reader.scan(3)).toEqual({ index: 3, area: 1, box: [128, 200, 128, 200], runs: Int32Array.of(200, 128, 129) });
  });

  for (const [height, width] of [[480, 640], [600, 800], [255, 256], [120, 200], [37, 1000], [1, 2]]) {
    it(`give the full-resolution masks of the logits at ${width}×${height}, in any reading order`, () => {
      const compact = compactOf(dense, edgeRadius(height, width));
      // Upsampled, only the cells along sign changes are kept.
      if (height >= 256 && width >= 256) expect(compact.reduce((e, b) => e + b.edgeCell.length, 0)).toBeLessThan(dense.length / 8);
      const renderer = createFullResRenderer(height, width);
      const fromCompact = lowResPlanes(compact);
      const want = Array.from({ length: n }, (_, k) => renderer.render(dense, scanLowResMask(dense, k)));
      const order = [...want.keys(), ...[...want.keys()].reverse(), 4, 0, 4];
      for (const k of order) expect(fromCompact.render(renderer, fromCompact.scan(k))).toEqual(want[k]);
      if (height * width > 100) expect(want.filter((m) => m.area > 0 && m.area < height * width).length).toBeGreaterThan(n / 2);
    });
  }

  it('give the candidate set of the logits', () => {
    const [height, width] = [300, 400];
    const features = { data: Float32Array.from({ length: 4 * 4 * 3 }, (_, i) => Math.cos(i)), rows: 4, cols: 4, dim: 3 };
    const embeddings = Float32Array.from({ length: n * 3 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const iou = Float32Array.from({ length: n }, (_, i) => 0.5 + i / 100);
    const ids = { imageSha256: 'x', modelId: 'm', pipelineId: 'p' };
    const want = extractCandidates({ lowResLogits: dense, iou, features, embeddings, height, width }, ids);
    expect(want.candidates.length).toBe(n - 1);
    expect(extractCandidates({ lowResLogits: compactOf(dense, edgeRadius(height, width)), iou, features, embeddings, height, width }, ids)).toEqual(want);
  });

  it('refuse parts that do not agree', () => {
    const good = compactBatch(dense.subarray(3 * CELLS, 5 * CELLS), [1, 1]);
    expect(good.edgeCell.length).toBeGreaterThan(1);
    expect(() => compactReader([good, { ...good, count: 3 }])).toThrow(ShapeMismatchError);
    expect(() => compactReader([{ ...good, edgeLogit: good.edgeLogit.subarray(1) }])).toThrow(ShapeMismatchError);
    expect(() => compactReader([{ ...good, edgeCell: Int32Array.of(5, 4), edgeLogit: Float32Array.of(1, 1) }])).toThrow(/must ascend/);
    expect(() => compactReader([{ ...good, edgeCell: Int32Array.of(2 * CELLS), edgeLogit: Float32Array.of(1) }])).toThrow(/must ascend/);
    expect(() => compactReader([good, good]).scan(4)).toThrow(ShapeMismatchError);
    expect(() => compactReader([good]).planeOf(-1)).toThrow(ShapeMismatchError);
  });

  it('give edgeRadius the span of one output pixel\'s window', () => {
    expect(edgeRadius(480, 640)).toEqual([1, 1]);
    expect(edgeRadius(256, 255)).toEqual([1, 4]);
    expect(edgeRadius(128, 1)).toEqual([5, 513]);
  });
});
