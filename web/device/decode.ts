// The browser's own decoding of an image file to 8-bit RGB, as close to the gpu-node's (sharp,
// Pillow's convert("RGB")) as a browser allows: no colour management (colorSpaceConversion
// 'none': embedded ICC profiles are ignored, as Pillow does), no premultiplication, EXIF
// orientation applied unless asked not to. PNG, lossless WebP, GIF and TIFF-free inputs give the
// stored bytes exactly for opaque pixels; JPEG goes through the browser's own IDCT and upsampling:
// Chromium's gives sharp's bytes exactly (test/on-device/decode-browser.test.ts, docs/on-device.md).
// Alpha: the canvas keeps premultiplied pixels, so partly transparent pixels can lose precision
// and fully transparent ones read as black; sharp keeps their stored colour.
import type { RgbImage } from '../../gpu-node/preprocess/tensors.ts';
import { checkImage } from '../../shared/images/index.ts';

/** The edge's default REFSEG_MAX_PIXELS: larger images are refused before decoding. */
export const DEVICE_MAX_PIXELS = 40_000_000;

export interface BrowserDecoded extends RgbImage {
  /** The file's bytes, as hashed for the set's imageSha256. */
  bytes: Uint8Array;
}

/**
 * EXIF orientation is always applied: Chromium treats imageOrientation 'none' as 'from-image'
 * (measured in Chromium), so the stored grid (the gpu-node's `exif: 'ignore'`, used
 * for COCO datasets) is not available here.
 */
export async function decodeInBrowser(file: Blob, maxPixels = DEVICE_MAX_PIXELS): Promise<BrowserDecoded> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  // Type and size from the header: an unsupported file or a pixel bomb fails before decoding.
  checkImage(bytes, maxPixels);
  const bitmap = await createImageBitmap(new Blob([bytes]), {
    colorSpaceConversion: 'none',
    premultiplyAlpha: 'none',
    imageOrientation: 'from-image',
  });
  try {
    const { width, height } = bitmap;
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('this browser gives no 2D canvas in a worker');
    ctx.drawImage(bitmap, 0, 0);
    const rgba = ctx.getImageData(0, 0, width, height).data;
    const data = new Uint8Array(width * height * 3);
    for (let i = 0, j = 0; i < data.length; i += 3, j += 4) {
      data[i] = rgba[j];
      data[i + 1] = rgba[j + 1];
      data[i + 2] = rgba[j + 2];
    }
    return { data, width, height, bytes };
  } finally {
    bitmap.close();
  }
}
