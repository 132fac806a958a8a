import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { PixelLimitError, toProblem } from '../errors.ts';
import { CorruptImageError, UnsupportedImageBytesError } from './errors.ts';
import { checkImage, sniffImage } from './sniff.ts';

async function encoded(width: number, height: number, format: 'jpeg' | 'png' | 'webp' | 'gif' | 'tiff', options: object = {}): Promise<Uint8Array> {
  const raw = new Uint8Array(width * height * 3).map((_, i) => (i * 37) % 251);
  const img = sharp(raw, { raw: { width, height, channels: 3 } });
  return new Uint8Array(await img.toFormat(format, options).toBuffer());
}

describe('sniffImage', () => {
  const cases: [number, number, 'jpeg' | 'png' | 'webp' | 'gif' | 'tiff', object][] = [
    [1, 1, 'png', {}],
    [641, 479, 'png', {}],
    [1, 1, 'jpeg', {}],
    [333, 17, 'jpeg', { progressive: true }],
    [16383, 2, 'webp', {}],
    [77, 300, 'webp', { lossless: true }],
    [5, 9, 'webp', { alphaQuality: 50 }],
    [3, 1000, 'gif', {}],
    [300, 7, 'tiff', {}],
    [65, 66, 'tiff', { compression: 'lzw', bigendian: false }],
    [70_000, 1, 'tiff', { compression: 'none' }],
  ];
  for (const [w, h, format, opts] of cases) {
    it(`reads ${format} ${w}×${h} ${JSON.stringify(opts)}`, async () => {
      const header = sniffImage(await encoded(w, h, format, opts));
      expect(header).toEqual({ type: `image/${format}`, width: w, height: h });
    });
  }

  it('reads a JPEG whose frame header follows a large EXIF segment', async () => {
    const raw = new Uint8Array(40 * 30 * 3).fill(90);
    const bytes = new Uint8Array(
      await sharp(raw, { raw: { width: 40, height: 30, channels: 3 } })
        .withMetadata({ orientation: 6, exif: { IFD0: { ImageDescription: 'x'.repeat(30_000) } } })
        .jpeg()
        .toBuffer(),
    );
    expect(sniffImage(bytes)).toEqual({ type: 'image/jpeg', width: 40, height: 30 });
  });

  it('reads a big-endian TIFF', () => {
    // II/MM header, IFD at 8 with ImageWidth (LONG 1000) and ImageLength (SHORT 20).
    const b = new Uint8Array(8 + 2 + 24);
    const v = new DataView(b.buffer);
    b.set([0x4d, 0x4d, 0, 42, 0, 0, 0, 8]);
    v.setUint16(8, 2);
    v.setUint16(10, 256), v.setUint16(12, 4), v.setUint32(14, 1), v.setUint32(18, 1000);
    v.setUint16(22, 257), v.setUint16(24, 3), v.setUint32(26, 1), v.setUint16(30, 20);
    expect(sniffImage(b)).toEqual({ type: 'image/tiff', width: 1000, height: 20 });
  });

  it('names the type it found, the type declared and the accepted types in a 415', () => {
    // A 2×2 24-bit BMP: sharp (the gpu-node's decoder) cannot read it.
    const bmp = new Uint8Array(70);
    bmp.set([0x42, 0x4d]);
    const err = (() => {
      try {
        sniffImage(bmp, 'image', 'image/bmp');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UnsupportedImageBytesError);
    expect(toProblem(err, 'r').body).toMatchObject({
      status: 415,
      field: 'image',
      sniffed: 'image/bmp',
      declared: 'image/bmp',
      accepted: ['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/tiff'],
      detail: "The image's bytes are image/bmp, which refseg does not take; send one of: image/jpeg, image/png, image/webp, image/gif, image/tiff.",
    });
    // Text sent as image/png: the 415 says what was declared, not "(none)".
    const text = new TextEncoder().encode('{"not": "an image"}');
    expect(() => sniffImage(text, 'body', 'image/png')).toThrow(
      "The image's bytes are not an image format refseg recognises (the request declared them as image/png); send one of: image/jpeg, image/png, image/webp, image/gif, image/tiff.",
    );
    expect(() => sniffImage(new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toThrow(/are image\/svg\+xml, which refseg does not take/);
  });

  it('refuses truncated headers with 422', async () => {
    for (const format of ['jpeg', 'png', 'webp', 'gif', 'tiff'] as const) {
      const bytes = await encoded(8, 8, format);
      const cut = format === 'jpeg' ? bytes.subarray(0, 20) : format === 'gif' ? bytes.subarray(0, 8) : format === 'tiff' ? bytes.subarray(0, 12) : bytes.subarray(0, 18);
      expect(() => sniffImage(cut), format).toThrow(CorruptImageError);
    }
  });
});

describe('checkImage', () => {
  it('refuses more pixels than the limit, from the header alone', async () => {
    const bytes = await encoded(100, 50, 'png');
    expect(checkImage(bytes, 5000).width).toBe(100);
    const err = (() => {
      try {
        checkImage(bytes, 4999, 'references[0].image');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(PixelLimitError);
    expect(err).toMatchObject({ status: 422, field: 'references[0].image', extra: { width: 100, height: 50, maxPixels: 4999 } });
  });
});

async function catchErr(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error('did not throw');
}
