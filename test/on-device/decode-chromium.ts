// Decoding images as the browser's "on this device" mode does: the engine's decoder
// (web/device/decode.ts: Chromium's own decoder through createImageBitmap, no colour-space
// conversion, no premultiplication, EXIF orientation applied, OffscreenCanvas → RGB) in a module
// Web Worker, as the model worker runs it. Also the test photos: the
// project has no photographs (test/fixtures holds none), so they are generated here,
// deterministically: the stand-in scenes and a photo-like texture, as PNG and as JPEG of several
// qualities and chroma subsamplings.
import { join } from 'node:path';
import sharp, { type JpegOptions } from 'sharp';
import { base64ToBytes } from '../../shared/encoding/index.ts';
import { renderScene } from '../../gpu-node/standin/scene.ts';
import { targetScene } from '../../gpu-node/standin/samples.ts';
import { bundleForBrowser } from '../browser/bundle.ts';
import { launchChromium } from '../browser/chromium.ts';
import { startPageServer } from '../browser/page-server.ts';

export interface Rgb {
  width: number;
  height: number;
  /** width × height × 3, row-major. */
  data: Uint8Array;
}

/** Each image decoded in headless Chromium by the on-device engine's own decoder (web/device/decode.ts, in a Web Worker), in order. */
export async function decodeInChromium(images: readonly Uint8Array[]): Promise<Rgb[]> {
  const bundle = (worker: boolean) => bundleForBrowser(join(import.meta.dirname, 'decode-entry.ts'), { __DECODE_WORKER__: JSON.stringify(worker ? '' : '/worker.js') });
  const [page, worker] = await Promise.all([bundle(false), bundle(true)]);
  const files: Record<string, { type: string; body: string | Uint8Array }> = {
    '/': { type: 'text/html; charset=utf-8', body: '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module" src="/page.js"></script>' },
    '/page.js': { type: 'text/javascript', body: page.code },
    '/worker.js': { type: 'text/javascript', body: worker.code },
  };
  images.forEach((bytes, i) => (files[`/image-${i}`] = { type: 'application/octet-stream', body: bytes }));
  const server = await startPageServer(files);
  const chromium = await launchChromium();
  try {
    const tab = await chromium.context.newPage();
    await tab.goto(`${server.url}/`);
    await tab.waitForFunction(() => 'refsegDecode' in globalThis);
    const out: Rgb[] = [];
    for (let i = 0; i < images.length; i++) {
      const r = (await tab.evaluate((u) => (globalThis as unknown as { refsegDecode(u: string): Promise<unknown> }).refsegDecode(u), `/image-${i}`)) as { width: number; height: number; rgb: string } | { error: string };
      if ('error' in r) throw new Error(`Chromium could not decode the image: ${r.error}`);
      out.push({ width: r.width, height: r.height, data: base64ToBytes(r.rgb) });
    }
    return out;
  } finally {
    await chromium.close();
    await server.close();
  }
}

export interface PixelDifference {
  /** Channel values (of width × height × 3) that differ. */
  valuesDiffering: number;
  /** Pixels with any channel differing. */
  pixelsDiffering: number;
  maxAbs: number;
  /** Mean |a − b| over every channel value. */
  meanAbs: number;
}

export function pixelDifference(a: Rgb, b: Rgb): PixelDifference {
  if (a.width !== b.width || a.height !== b.height) throw new Error(`sizes differ: ${a.width}×${a.height} vs ${b.width}×${b.height}`);
  let valuesDiffering = 0;
  let pixelsDiffering = 0;
  let maxAbs = 0;
  let sum = 0;
  for (let p = 0; p < a.width * a.height; p++) {
    let any = false;
    for (let c = 0; c < 3; c++) {
      const d = Math.abs(a.data[p * 3 + c] - b.data[p * 3 + c]);
      if (d === 0) continue;
      any = true;
      valuesDiffering++;
      sum += d;
      if (d > maxAbs) maxAbs = d;
    }
    if (any) pixelsDiffering++;
  }
  return { valuesDiffering, pixelsDiffering, maxAbs, meanAbs: sum / (a.width * a.height * 3) };
}

/**
 * A photo-like 640×480 picture: smooth lighting, fine texture of several scales and hard edges,
 * which is where JPEG decoders' IDCT and chroma upsampling differ (flat colours hide them).
 */
export function photoLike(width = 640, height = 480): Rgb {
  const data = new Uint8Array(width * height * 3);
  let s = 12345;
  const noise = new Float32Array((width >> 2) * (height >> 2) + width);
  for (let i = 0; i < noise.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    noise[i] = (s >>> 8) / 16777216;
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const light = 0.55 + 0.45 * Math.sin(x / 97 + y / 131);
      const grain = noise[(y >> 2) * (width >> 2) + (x >> 2)] * 0.35 + noise[(x * 7 + y * 13) % noise.length] * 0.15;
      const inDisc = (x - 420) ** 2 + (y - 200) ** 2 < 110 ** 2;
      const inBox = x > 80 && x < 260 && y > 260 && y < 420;
      const stripes = (Math.floor(x / 3) + Math.floor(y / 5)) % 2;
      const base: [number, number, number] = inDisc ? [200, 60 + 40 * stripes, 40] : inBox ? [40, 90, 190 + 30 * stripes] : [120 + 60 * Math.sin(y / 40), 140, 110 + 50 * Math.cos(x / 55)];
      for (let c = 0; c < 3; c++) data[(y * width + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(base[c] * light + 80 * (grain - 0.25))));
    }
  }
  return { width, height, data };
}

export interface TestPhoto {
  name: string;
  bytes: Uint8Array;
  format: 'png' | 'jpeg' | 'webp';
}

const raw = (img: Rgb) => sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } });

/** The test photos: PNG and JPEG encodings of the stand-in target scene, the photo-like texture and a small scene. */
export async function testPhotos(): Promise<TestPhoto[]> {
  const scene = targetScene();
  const photo = photoLike();
  const small = renderScene(400, 300, [128, 128, 128], [
    { kind: 'disc', color: [255, 0, 0], cx: 90, cy: 80, r: 42 },
    { kind: 'rect', color: [0, 0, 255], x0: 200, y0: 30, x1: 330, y1: 120 },
    { kind: 'disc', color: [0, 255, 0], cx: 100, cy: 225, r: 45 },
  ]);
  const jpeg = async (name: string, img: Rgb, options: JpegOptions): Promise<TestPhoto> => ({ name, bytes: new Uint8Array(await raw(img).jpeg(options).toBuffer()), format: 'jpeg' });
  return [
    { name: 'scene.png', bytes: new Uint8Array(await raw(scene).png().toBuffer()), format: 'png' },
    { name: 'photo.png', bytes: new Uint8Array(await raw(photo).png().toBuffer()), format: 'png' },
    await jpeg('scene-q92.jpg', scene, { quality: 92 }),
    await jpeg('scene-q95-444.jpg', scene, { quality: 95, chromaSubsampling: '4:4:4' }),
    await jpeg('scene-q75-progressive.jpg', scene, { quality: 75, progressive: true }),
    await jpeg('small-scene-q95.jpg', small, { quality: 95 }),
    await jpeg('photo-q85.jpg', photo, { quality: 85 }),
    await jpeg('photo-q95-444.jpg', photo, { quality: 95, chromaSubsampling: '4:4:4' }),
    await jpeg('photo-q60-progressive.jpg', photo, { quality: 60, progressive: true }),
    // A phone photo stored sideways: both decoders turn it upright (EXIF orientation 6).
    { name: 'photo-q90-exif6.jpg', bytes: new Uint8Array(await raw(photo).jpeg({ quality: 90 }).withMetadata({ orientation: 6 }).toBuffer()), format: 'jpeg' },
    { name: 'photo-grey-q90.jpg', bytes: new Uint8Array(await raw(photo).greyscale().jpeg({ quality: 90 }).toBuffer()), format: 'jpeg' },
    { name: 'photo-q80.webp', bytes: new Uint8Array(await raw(photo).webp({ quality: 80 }).toBuffer()), format: 'webp' },
  ];
}

/** Lossless PNG of decoded pixels: the way to hand the browser's pixels to the Node pipeline unchanged. */
export async function pngOfRgb(img: Rgb): Promise<Uint8Array> {
  return new Uint8Array(await raw(img).png().toBuffer());
}
