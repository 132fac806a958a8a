// The mask preview on stand-in models: the right object for a box and for clicks, the SAM2
// encoder run once per image however often a person clicks on it, and prompts outside refused.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeMask, rleIou } from '../../shared/coco-mask/index.ts';
import { MalformedBoxError } from '../../shared/errors.ts';
import { generateStandins } from '../standin/generate.ts';
import { renderScene } from '../standin/scene.ts';
import { EncodedImages, openPipeline } from './index.ts';
import type { EncodedImage, GpuPipeline, Stage } from './index.ts';

let dir: string;
let pipeline: GpuPipeline;
const scene = renderScene(320, 240, [128, 128, 128], [
  { kind: 'disc', color: [255, 0, 0], cx: 80, cy: 80, r: 40 },
  { kind: 'rect', color: [0, 0, 255], x0: 180, y0: 120, x1: 280, y1: 200 },
]);
let png: Uint8Array;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'refseg-preview-'));
  const paths = await generateStandins(dir);
  pipeline = await openPipeline({ sam2Dir: paths.sam2B.dir, dinoPath: paths.dino, threads: { intraOp: 1 } });
  png = new Uint8Array(await sharp(scene.data, { raw: { width: 320, height: 240, channels: 3 } }).png().toBuffer());
});
afterAll(async () => {
  await pipeline?.close();
  await rm(dir, { recursive: true, force: true });
});

const iou = (a: Parameters<typeof encodeMask>[0], rle: { size: [number, number]; counts: string }) => rleIou([rle], [encodeMask(a, 240, 320)], [0])[0][0];

describe('previewMask', () => {
  it('segments the boxed or clicked object, encoding the image once for all the clicks', async () => {
    const stages: Stage[] = [];
    const observe = (stage: Stage) => stages.push(stage);
    const box = await pipeline.previewMask(png, { box: [36, 36, 88, 88] }, { observe });
    expect(iou(scene.masks[0], box.rle)).toBeGreaterThan(0.9);
    expect(box.bbox).toEqual([40, 40, 80, 80]);
    expect([box.width, box.height, box.orientation]).toEqual([320, 240, 'applied']);
    const click = await pipeline.previewMask(png, { points: [[230, 160, 1], [80, 80, 0]] }, { observe });
    expect(iou(scene.masks[1], click.rle)).toBeGreaterThan(0.9);
    expect(click.predictedIou).toBeGreaterThan(0.5);
    expect(stages.filter((s) => s === 'sam2-encoder')).toHaveLength(1);
    expect(stages.filter((s) => s === 'sam2-decoder')).toHaveLength(2);

    await expect(pipeline.previewMask(png, { box: [300, 10, 30, 30] }, { observe })).rejects.toBeInstanceOf(MalformedBoxError);
    // Another orientation mode is another pixel grid: encoded anew.
    await pipeline.previewMask(png, { points: [[80, 80, 1]] }, { observe, exif: 'ignore' });
    expect(stages.filter((s) => s === 'sam2-encoder')).toHaveLength(2);
  });
});

describe('EncodedImages', () => {
  const encoded = (width: number): EncodedImage => ({ width, height: 1, orientation: 'applied', embeddings: { key: '0:0', levels: [new Float32Array(0), new Float32Array(0), new Float32Array(0)] } });

  it('keeps the most recently used entries, and forgets a failed encoding', async () => {
    const cache = new EncodedImages(2);
    let calls = 0;
    const make = (width: number) => async () => {
      calls++;
      return encoded(width);
    };
    await cache.get('a', make(1));
    await cache.get('b', make(2));
    expect((await cache.get('a', make(9))).width).toBe(1); // a is now the most recent
    await cache.get('c', make(3)); // evicts b
    expect((await cache.get('b', make(4))).width).toBe(4);
    expect(calls).toBe(4);
    await expect(cache.get('d', async () => Promise.reject(new Error('corrupt')))).rejects.toThrow('corrupt');
    await new Promise((r) => setTimeout(r, 0));
    expect((await cache.get('d', make(5))).width).toBe(5);
  });
});
