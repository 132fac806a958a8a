// The synthetic photo of the on-device tests: three objects on grey, 320×240 PNG.
import sharp from 'sharp';
import { renderScene } from '../../gpu-node/standin/scene.ts';

/** Grid side of the smoke runs: small, the stand-ins answer in seconds. */
export const SMOKE_GRID = 8;

export async function scenePng(): Promise<Uint8Array> {
  const scene = renderScene(320, 240, [128, 128, 128], [
    { kind: 'disc', color: [220, 30, 30], cx: 80, cy: 60, r: 30 },
    { kind: 'disc', color: [220, 30, 30], cx: 240, cy: 170, r: 28 },
    { kind: 'rect', color: [30, 40, 210], x0: 190, y0: 30, x1: 280, y1: 100 },
  ]);
  return new Uint8Array(await sharp(scene.data, { raw: { width: 320, height: 240, channels: 3 } }).png().toBuffer());
}
