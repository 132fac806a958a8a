import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { countsToString, encodeMask } from '../../shared/coco-mask/index.ts';
import { crc32, rleToPng } from './png.ts';

describe('crc32', () => {
  it('gives the check value of the PNG/zlib CRC', () => {
    // CRC-32 of "123456789" is 0xCBF43926 (the standard check value).
    expect((crc32(new TextEncoder().encode('123456789')) ^ 0xffffffff) >>> 0).toBe(0xcbf43926);
  });
});

describe('rleToPng', () => {
  it('puts pixel (x, y) of the RLE at column x, row y of the image', async () => {
    // COCO counts are column-major: 2 zeros then 1 one fills column 0 rows 2 of a 3×2 mask, i.e.
    // the bottom-left pixel; the rest is 0 except the last run (column 1, rows 1–2).
    const rle = { size: [3, 2] as [number, number], counts: countsToString([2, 1, 1, 2]) };
    const { data, info } = await sharp(await rleToPng(rle)).raw().toBuffer({ resolveWithObject: true });
    const grey = Array.from({ length: 6 }, (_, i) => data[i * info.channels] / 255);
    expect(grey).toEqual([0, 0, 0, 1, 1, 1]);
  });

  for (const [h, w, seed] of [
    [1, 1, 1],
    [7, 9, 2],
    [33, 64, 3],
    [50, 17, 4],
  ]) {
    it(`decodes (sharp) to the same ${h}×${w} mask`, async () => {
      let s = seed;
      const rowMajor = new Uint8Array(h * w).map(() => ((s = (s * 1103515245 + 12345) >>> 0) >>> 16) & 1);
      const png = await rleToPng(encodeMask(rowMajor, h, w));
      const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height]).toEqual([w, h]);
      const grey = Array.from({ length: h * w }, (_, i) => data[i * info.channels]);
      expect(grey).toEqual(Array.from(rowMajor, (v) => v * 255));
    });
  }
});
