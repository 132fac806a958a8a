import { describe, expect, it } from 'vitest';
import type { CocoBox } from '../types.ts';
import { encodeMask, frUncompressed } from './codec.ts';
import { rleArea, rleToBbox } from './measure.ts';
import { blobMask, noiseMask, pixelCountOf, rng } from './testing.ts';

/** Tight box of the foreground pixels, [0,0,0,0] when there are none. */
function pixelBox(mask: Uint8Array, h: number, w: number): CocoBox {
  let x0 = w;
  let y0 = h;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (mask[y * w + x] === 0) continue;
      x0 = Math.min(x0, x);
      y0 = Math.min(y0, y);
      x1 = Math.max(x1, x);
      y1 = Math.max(y1, y);
    }
  }
  return x1 < 0 ? [0, 0, 0, 0] : [x0, y0, x1 - x0 + 1, y1 - y0 + 1];
}

describe('rleArea / rleToBbox', () => {
  it('equal the pixel count and tight pixel box on random masks', () => {
    const rand = rng(5);
    for (const [h, w] of [[1, 1], [1, 17], [23, 1], [30, 40], [37, 23]]) {
      for (const mask of [noiseMask(h, w, 0.03, rand), noiseMask(h, w, 0.5, rand), blobMask(h, w, rand), new Uint8Array(h * w)]) {
        const rle = encodeMask(mask, h, w);
        expect(rleArea(rle)).toBe(pixelCountOf(mask));
        expect(rleToBbox(rle)).toEqual(pixelBox(mask, h, w));
      }
    }
  });

  it('widens to the full height when one run continues into the next column', () => {
    // 4×3: foreground = bottom of column 0 and top of column 1, one run of 2.
    expect(rleToBbox(frUncompressed([3, 2, 7], 4, 3))).toEqual([0, 0, 2, 4]);
  });

  it('ignores zero-length foreground runs (pycocotools >= 2.0.3)', () => {
    expect(rleToBbox(frUncompressed([2, 0, 3, 4, 3], 3, 4))).toEqual([1, 0, 2, 3]);
  });

  it('ignores an odd trailing run and gives zeros for no foreground run', () => {
    expect(rleToBbox(frUncompressed([12], 3, 4))).toEqual([0, 0, 0, 0]);
    expect(rleToBbox(frUncompressed([4, 2, 6], 3, 4))).toEqual([1, 1, 1, 2]);
  });

  it('wraps width and height like C uint32 when every foreground run is empty', () => {
    // xs = w, xe = 0 → 0 - 4 + 1 = 2^32 - 3; ys = h, ye = 0 → 2^32 - 2.
    expect(rleToBbox(frUncompressed([12, 0], 3, 4))).toEqual([4, 3, 2 ** 32 - 3, 2 ** 32 - 2]);
    expect(rleArea(frUncompressed([12, 0], 3, 4))).toBe(0);
  });
});
