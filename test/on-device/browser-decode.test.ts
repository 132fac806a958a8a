// The on-device engine's decoder (web/device/decode.ts: createImageBitmap without colour
// management or premultiplication, EXIF orientation from the image, OffscreenCanvas → RGB) in
// headless Chromium against the gpu-node's (sharp, Pillow-exact), on the same files: PNG must give
// the stored bytes exactly; EXIF orientation must be applied the same way; JPEG goes through
// Chromium's own decoder: measured, it gives sharp's bytes exactly (docs/on-device.md), and the
// test holds it to that.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { decodeImage } from '../../gpu-node/preprocess/decode.ts';
import { base64ToBytes } from '../../shared/encoding/index.ts';
import { bundleForBrowser } from '../browser/bundle.ts';
import { launchChromium, type RunningChromium } from '../browser/chromium.ts';
import { startPageServer, type PageServer } from '../browser/page-server.ts';
import { join } from 'node:path';

const W = 320;
const H = 240;
let server: PageServer;
let chromium: RunningChromium;
const files: Record<string, { type: string; body: string | Uint8Array }> = {};

/** A photo-like scene: smooth gradients, hard edges and per-pixel noise (the hard case for a JPEG decoder). */
function photo(): Uint8Array {
  const px = new Uint8Array(W * H * 3);
  let seed = 7;
  const noise = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 24) % 24;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const inDisc = (x - 90) ** 2 + (y - 80) ** 2 < 50 ** 2;
      const inRect = x > 180 && x < 290 && y > 120 && y < 210;
      const base = inDisc ? [210, 40, 30] : inRect ? [30, 60, 200] : [(x * 255) / W, (y * 255) / H, 128];
      for (let c = 0; c < 3; c++) px[(y * W + x) * 3 + c] = Math.min(255, base[c] + noise());
    }
  }
  return px;
}

beforeAll(async () => {
  const bundle = (worker: boolean) => bundleForBrowser(join(import.meta.dirname, 'decode-entry.ts'), { __DECODE_WORKER__: JSON.stringify(worker ? '' : '/worker.js') });
  const [page, worker] = await Promise.all([bundle(false), bundle(true)]);
  const raw = sharp(Buffer.from(photo()), { raw: { width: W, height: H, channels: 3 } });
  files['/'] = { type: 'text/html', body: '<!doctype html><meta charset="utf-8"><script type="module" src="/page.js"></script>' };
  files['/page.js'] = { type: 'text/javascript', body: page.code };
  files['/worker.js'] = { type: 'text/javascript', body: worker.code };
  files['/photo.png'] = { type: 'image/png', body: new Uint8Array(await raw.clone().png().toBuffer()) };
  files['/photo-q95.jpg'] = { type: 'image/jpeg', body: new Uint8Array(await raw.clone().jpeg({ quality: 95 }).toBuffer()) };
  files['/photo-q80-444.jpg'] = { type: 'image/jpeg', body: new Uint8Array(await raw.clone().jpeg({ quality: 80, chromaSubsampling: '4:4:4' }).toBuffer()) };
  files['/photo-o6.jpg'] = { type: 'image/jpeg', body: new Uint8Array(await raw.clone().jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer()) };
  server = await startPageServer(files);
  chromium = await launchChromium();
}, 60_000);

afterAll(async () => {
  await chromium?.close();
  await server?.close();
});

async function decodeInChromium(name: string) {
  const page = await chromium.context.newPage();
  try {
    await page.goto(`${server.url}/`);
    await page.waitForFunction(() => 'refsegDecode' in globalThis);
    const r = (await page.evaluate((u) => (globalThis as unknown as { refsegDecode(u: string): Promise<unknown> }).refsegDecode(u), `/${name}`)) as {
      width: number;
      height: number;
      rgb: string;
      error?: string;
    };
    if (r.error) throw new Error(r.error);
    return { width: r.width, height: r.height, data: base64ToBytes(r.rgb) };
  } finally {
    await page.close();
  }
}

function compare(a: Uint8Array, b: Uint8Array) {
  let max = 0;
  let differing = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (d > 0) differing++;
    max = Math.max(max, d);
    sum += d;
  }
  return { max, share: differing / a.length, mean: sum / a.length };
}

describe("the engine's decoder in Chromium against the gpu-node's", () => {
  it('PNG: the stored bytes exactly', async () => {
    const browser = await decodeInChromium('photo.png');
    const node = await decodeImage(files['/photo.png'].body as Uint8Array);
    expect([browser.width, browser.height]).toEqual([W, H]);
    expect(compare(browser.data, node.data).max).toBe(0);
  });

  it('JPEG (4:2:0 q95, 4:4:4 q80): the same pixels as libjpeg-turbo in sharp', async () => {
    for (const name of ['photo-q95.jpg', 'photo-q80-444.jpg']) {
      const browser = await decodeInChromium(name);
      const node = await decodeImage(files[`/${name}`].body as Uint8Array);
      const d = compare(browser.data, node.data);
      console.log(`${name}: Chromium vs sharp: ${(d.share * 100).toFixed(2)}% of values differ, max ${d.max}, mean ${d.mean.toFixed(4)} levels`);
      expect([browser.width, browser.height]).toEqual([W, H]);
      // Chromium decodes with libjpeg-turbo too, with the same IDCT and fancy upsampling.
      expect(d.max).toBe(0);
    }
  });

  it('EXIF orientation 6: applied as the gpu-node applies it', async () => {
    const bytes = files['/photo-o6.jpg'].body as Uint8Array;
    const browser = await decodeInChromium('photo-o6.jpg');
    const node = await decodeImage(bytes);
    expect([browser.width, browser.height]).toEqual([H, W]);
    expect([node.width, node.height]).toEqual([H, W]);
    expect(compare(browser.data, node.data).max).toBe(0);
  });
});
