import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { PixelLimitError, UnsupportedMediaTypeError } from '../errors.ts';
import { CorruptImageError } from './errors.ts';
import { checkImage, sniffImage } from './sniff.ts';

async function encoded(width: number, height: number, format: 'jpeg' | 'png' | 'webp' | 'gif' | 'tiff', options: object = {}): Promise<Uint8Array> {
  const raw = new Uint8Array(width * height * 3).map((_, i) => (i * 37) % 251);
  const img = sharp(raw, { raw: { width, height, channels: 3 } });
  return new Uint8Array(await img.toFormat(format, options).toBuffer());
}

describe('sniffImage', () => {
  const cases: [number, number, 'jpeg' | 'png' | 'webp', object][] = [
    [1, 1, 'png', {}],
    [641, 479, 'png', {}],
    [1, 1, 'jpeg', {}],
    [333, 17, 'jpeg', { progressive: true }],
    [16383, 2, 'webp', {}],
    [77, 300, 'webp', { lossless: true }],
    [5, 9, 'webp', { alphaQuality: 50 }],
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

  it('names formats it does not take in a 415', async () => {
    for (const [format, type] of [
      ['gif', 'image/gif'],
      ['tiff', 'image/tiff'],
    ] as const) {
      const err = catchErr(async () => sniffImage(await encoded(4, 4, format)));
      await expect(err).resolves.toBeInstanceOf(UnsupportedMediaTypeError);
      await expect(err).resolves.toMatchObject({ status: 415, detail: expect.stringContaining(type), field: 'image' });
    }
    const text = new TextEncoder().encode('{"not": "an image"}');
    expect(() => sniffImage(text)).toThrow(/Content type \(none\) is not accepted; use one of: image\/jpeg, image\/png, image\/webp/);
  });

  it('refuses truncated headers with 422', async () => {
    for (const format of ['jpeg', 'png', 'webp'] as const) {
      const bytes = await encoded(8, 8, format);
      const cut = format === 'jpeg' ? bytes.subarray(0, 20) : bytes.subarray(0, 18);
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
