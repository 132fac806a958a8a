// Synthetic photos for the edge tests: flat palette colours the stand-in models tell apart
// (DINOv2 stand-in: same colour ≈ cosine 1, palette colours ≈ 0), with exact object masks.
import sharp from 'sharp';
import { encodeMask } from '../../../shared/coco-mask/index.ts';
import type { Rle } from '../../../shared/types.ts';
import { renderScene } from '../../../gpu-node/standin/scene.ts';
import type { SceneObject } from '../../../gpu-node/standin/scene.ts';

export const RED = [255, 0, 0] as const;
export const BLUE = [0, 0, 255] as const;
export const GREEN = [0, 255, 0] as const;
const GREY = [128, 128, 128] as const;

export interface TestImage {
  bytes: Uint8Array;
  width: number;
  height: number;
  /** Exact mask of each object, as COCO RLE. */
  masks: Rle[];
}

export async function sceneImage(width: number, height: number, objects: SceneObject[], format: 'png' | 'jpeg' = 'png'): Promise<TestImage> {
  const scene = renderScene(width, height, GREY, objects);
  const img = sharp(scene.data, { raw: { width, height, channels: 3 } });
  const bytes = new Uint8Array(await (format === 'png' ? img.png() : img.jpeg({ quality: 95 })).toBuffer());
  return { bytes, width, height, masks: scene.masks.map((m) => encodeMask(m, height, width)) };
}

export interface TestScenes {
  /** Red disc (object 0) and blue rectangle (object 1). */
  reference: TestImage;
  /** A second red disc (object 0) to give by box. */
  reference2: TestImage;
  /** Red discs (0, 1), blue rectangle (2), green disc (3). */
  target: TestImage;
  /** Another arrangement: blue rectangle (0), red disc (1). */
  target2: TestImage;
  /** A 2×2 BMP: a real image in a format refseg does not take. */
  bmp: Uint8Array;
  /** 1500 × 1500 flat PNG (2.25 MP), small in bytes. */
  large: Uint8Array;
}

export async function testScenes(): Promise<TestScenes> {
  const flat = Buffer.alloc(1500 * 1500 * 3, 90);
  return {
    reference: await sceneImage(320, 240, [
      { kind: 'disc', color: RED, cx: 90, cy: 90, r: 45 },
      { kind: 'rect', color: BLUE, x0: 180, y0: 60, x1: 290, y1: 150 },
    ]),
    reference2: await sceneImage(240, 200, [{ kind: 'disc', color: RED, cx: 150, cy: 110, r: 40 }]),
    target: await sceneImage(400, 300, [
      { kind: 'disc', color: RED, cx: 90, cy: 80, r: 42 },
      { kind: 'disc', color: RED, cx: 310, cy: 220, r: 38 },
      { kind: 'rect', color: BLUE, x0: 200, y0: 30, x1: 330, y1: 120 },
      { kind: 'disc', color: GREEN, cx: 100, cy: 225, r: 45 },
    ]),
    target2: await sceneImage(360, 260, [
      { kind: 'rect', color: BLUE, x0: 40, y0: 40, x1: 150, y1: 120 },
      { kind: 'disc', color: RED, cx: 260, cy: 170, r: 50 },
    ]),
    bmp: bmp2x2(),
    large: new Uint8Array(await sharp(flat, { raw: { width: 1500, height: 1500, channels: 3 } }).png().toBuffer()),
  };
}

/** BITMAPFILEHEADER + BITMAPINFOHEADER + two 24-bit rows padded to 8 bytes. */
function bmp2x2(): Uint8Array {
  const b = new Uint8Array(54 + 16);
  const v = new DataView(b.buffer);
  b.set([0x42, 0x4d]);
  v.setUint32(2, b.length, true);
  v.setUint32(10, 54, true);
  v.setUint32(14, 40, true);
  v.setInt32(18, 2, true);
  v.setInt32(22, 2, true);
  v.setUint16(26, 1, true);
  v.setUint16(28, 24, true);
  b.fill(40, 54);
  return b;
}
