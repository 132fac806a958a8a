import sharp, { type Sharp } from 'sharp';
import { describe, expect, it } from 'vitest';
import { PixelLimitError, toProblem } from '../../shared/errors.ts';
import { decodeImage } from './decode.ts';
import { CorruptImageError, UnsupportedImageFormatError } from '../../shared/images/errors.ts';

const W = 40;
const H = 20;

/** Quadrants red / green / blue / white, plus a unique value per pixel so any remap shows. */
function testImage(): Uint8Array {
  const px = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const q = (y < H / 2 ? 0 : 2) + (x < W / 2 ? 0 : 1);
      const base = [[200, 0, 0], [0, 200, 0], [0, 0, 200], [200, 200, 200]][q];
      px.set([base[0] + (x % 50), base[1] + y, base[2] + 3], (y * W + x) * 3);
    }
  }
  return px;
}

function raw(px: Uint8Array, width = W, height = H, channels: 1 | 3 | 4 = 3): Sharp {
  return sharp(px, { raw: { width, height, channels } });
}

/** Stored pixel (sx, sy) shown at display (x, y) under EXIF orientation o (display size dw × dh). */
function storedAt(o: number, x: number, y: number): [number, number] {
  switch (o) {
    case 2: return [W - 1 - x, y];
    case 3: return [W - 1 - x, H - 1 - y];
    case 4: return [x, H - 1 - y];
    case 5: return [y, x];
    case 6: return [y, H - 1 - x];
    case 7: return [W - 1 - y, H - 1 - x];
    case 8: return [W - 1 - y, x];
    default: return [x, y];
  }
}

/** PNG chunks as [type, whole chunk bytes]. */
function chunks(png: Uint8Array): [string, Uint8Array][] {
  const out: [string, Uint8Array][] = [];
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  for (let at = 8; at < png.length; ) {
    const len = view.getUint32(at);
    out.push([String.fromCharCode(...png.subarray(at + 4, at + 8)), png.subarray(at, at + 12 + len)]);
    at += 12 + len;
  }
  return out;
}

describe('decodeImage', () => {
  it('PNG: the stored RGB bytes exactly', async () => {
    const px = testImage();
    const img = await decodeImage(await raw(px).png().toBuffer());
    expect(img).toMatchObject({ width: W, height: H, format: 'png', exifOrientation: 1, orientation: 'applied' });
    expect(Buffer.compare(img.data, px)).toBe(0);
  });

  it('drops alpha without compositing and replicates grey, as PIL convert("RGB")', async () => {
    const rgba = new Uint8Array(W * H * 4);
    for (let i = 0; i < W * H; i++) rgba.set([200, 100, i % 256, i % 2 ? 0 : 128], i * 4);
    const a = await decodeImage(await raw(rgba, W, H, 4).png().toBuffer());
    for (let i = 0; i < W * H; i++) expect([...a.data.subarray(i * 3, i * 3 + 3)]).toEqual([200, 100, i % 256]);
    const grey = Uint8Array.from({ length: W * H }, (_, i) => (i * 7) % 256);
    const g = await decodeImage(await raw(grey, W, H, 1).png().toBuffer());
    for (let i = 0; i < W * H; i++) expect([...g.data.subarray(i * 3, i * 3 + 3)]).toEqual([grey[i], grey[i], grey[i]]);
  });

  it('ignores an embedded ICC profile (Pillow does not apply it)', async () => {
    const px = testImage();
    const iccp = chunks(await raw(px).withIccProfile('p3').png().toBuffer()).find(([t]) => t === 'iCCP')![1];
    const plain = chunks(await raw(px).png().toBuffer());
    const tagged = Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), plain[0][1], iccp, ...plain.slice(1).map(([, c]) => c)]);
    expect((await sharp(tagged).metadata()).icc).toBeDefined();
    // A colour-managed decode would change the pixels; ours returns what is stored.
    expect(Buffer.compare(await sharp(tagged).toColourspace('srgb').raw().toBuffer(), px)).not.toBe(0);
    expect(Buffer.compare((await decodeImage(tagged)).data, px)).toBe(0);
  });

  it('JPEG and WebP decode to RGB of the right size', async () => {
    const px = testImage();
    for (const [format, bytes] of [
      ['jpeg', await raw(px).jpeg({ quality: 95 }).toBuffer()],
      ['webp', await raw(px).webp({ lossless: true }).toBuffer()],
    ] as const) {
      const img = await decodeImage(bytes);
      expect(img).toMatchObject({ width: W, height: H, format });
      expect(img.data.length).toBe(W * H * 3);
      const at = (x: number, y: number) => [...img.data.subarray((y * W + x) * 3, (y * W + x) * 3 + 3)];
      if (format === 'webp') expect(Buffer.compare(img.data, px)).toBe(0);
      else for (const [x, y] of [[5, 5], [30, 5], [5, 15], [30, 15]]) at(x, y).forEach((v, c) => expect(Math.abs(v - px[(y * W + x) * 3 + c])).toBeLessThan(12));
    }
  });

  for (const o of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`EXIF orientation ${o}: applied by default, ignored on request`, async () => {
      const px = testImage();
      const bytes = await raw(px).withMetadata({ orientation: o }).png().toBuffer();
      const shown = await decodeImage(bytes);
      const swap = o >= 5;
      expect(shown).toMatchObject({ width: swap ? H : W, height: swap ? W : H, exifOrientation: o, orientation: 'applied' });
      for (let y = 0; y < shown.height; y++) {
        for (let x = 0; x < shown.width; x++) {
          const [sx, sy] = storedAt(o, x, y);
          const got = shown.data.subarray((y * shown.width + x) * 3, (y * shown.width + x) * 3 + 3);
          if (Buffer.compare(got, px.subarray((sy * W + sx) * 3, (sy * W + sx) * 3 + 3)) !== 0) {
            throw new Error(`orientation ${o}: display (${x}, ${y}) should show stored (${sx}, ${sy})`);
          }
        }
      }
      const stored = await decodeImage(bytes, { orientation: 'ignore' });
      expect(stored).toMatchObject({ width: W, height: H, exifOrientation: o, orientation: 'ignored' });
      expect(Buffer.compare(stored.data, px)).toBe(0);
    });
  }

  it('checks the pixel limit from the header, before decoding', async () => {
    const px = new Uint8Array(300 * 200 * 3).map((_, i) => (i * 31) % 256);
    const png = await raw(px, 300, 200).png({ compressionLevel: 0 }).toBuffer();
    await expect(decodeImage(png, { maxPixels: 59_999 })).rejects.toBeInstanceOf(PixelLimitError);
    expect((await decodeImage(png, { maxPixels: 60_000 })).width).toBe(300);
    // A truncated body still has a readable header: the limit answers first...
    const truncated = png.subarray(0, png.length / 2);
    const err = await decodeImage(truncated, { maxPixels: 1000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PixelLimitError);
    expect(toProblem(err, 'r').body).toMatchObject({ status: 422, width: 300, height: 200, maxPixels: 1000 });
    // ...and within the limit the truncation is a decode error.
    await expect(decodeImage(truncated)).rejects.toBeInstanceOf(CorruptImageError);
  });

  it('the default limit is 40 MP', async () => {
    const big = await sharp({ create: { width: 8000, height: 5001, channels: 3, background: '#000' } }).png().toBuffer();
    await expect(decodeImage(big)).rejects.toThrow(/8000×5001 = 40008000 pixels; the limit is 40000000/);
  });

  it('refuses non-images (422) and other formats (415)', async () => {
    for (const bytes of [new Uint8Array(0), new TextEncoder().encode('not an image at all'), Uint8Array.from({ length: 500 }, (_, i) => (i * 13) % 256)]) {
      const err = await decodeImage(bytes).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CorruptImageError);
      expect(toProblem(err, 'r').status).toBe(422);
    }
    const avif = await raw(testImage()).avif().toBuffer();
    const err = await decodeImage(avif).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedImageFormatError);
    expect(toProblem(err, 'r')).toMatchObject({ status: 415, body: { accepted: ['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/tiff'] } });
    expect(toProblem(err, 'r').body.detail).toMatch(/image\/heif/);
  });

  it('decodes the first frame of a GIF and the first page of a TIFF, as the edge accepts them', async () => {
    const px = testImage();
    const tiff = await decodeImage(await raw(px).tiff({ compression: 'lzw' }).toBuffer());
    expect(tiff).toMatchObject({ format: 'tiff', width: W, height: H });
    expect(tiff.data).toEqual(px);
    const frames = await sharp(Buffer.concat([Buffer.alloc(W * H * 3, 200), Buffer.alloc(W * H * 3, 10)]), { raw: { width: W, height: H * 2, channels: 3, pageHeight: H } } as never)
      .gif()
      .toBuffer();
    const gif = await decodeImage(frames);
    expect(gif).toMatchObject({ format: 'gif', width: W, height: H });
    expect([...new Set(gif.data)]).toEqual([200]);
  });
});
