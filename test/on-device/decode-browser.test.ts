// The browser's own image decoder against the gpu-node's (sharp, whose JPEG decode gives Pillow's
// bytes), on the test photos (decode-chromium.ts): Chromium's createImageBitmap → getImageData.
// Measured on Debian's Chromium (system libjpeg-turbo, libpng, libwebp) against sharp 0.35
// (mozjpeg, libpng, libwebp): every pixel identical for PNG, baseline and progressive JPEG (4:2:0,
// 4:4:4, grey, EXIF-rotated) and lossy WebP. The bound asserted is that measurement: zero
// (docs/on-device.md, "Browser decoding"). Then the Node pipeline runs on both decodes: the
// stand-ins and the weightless real SAM2.1 graph on a small grid give the same detections.
// Cost: one Chromium, and the real graph's encoder twice (seconds each).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPipeline } from '../../gpu-node/pipeline/index.ts';
import type { GpuPipeline } from '../../gpu-node/pipeline/index.ts';
import { decodeImage } from '../../gpu-node/preprocess/index.ts';
import { dinov2 } from '../../gpu-node/standin/dinov2.ts';
import { generateStandins } from '../../gpu-node/standin/generate.ts';
import { maskRle, pngOf, referenceFixtures } from '../../gpu-node/standin/samples.ts';
import { filledModelDir } from '../real-graph/fill.ts';
import { expectSameCandidates, expectSameDetections } from './compare.ts';
import { decodeInChromium, photoLike, pixelDifference, pngOfRgb, testPhotos } from './decode-chromium.ts';
import type { Rgb, TestPhoto } from './decode-chromium.ts';

let dir: string;
let photos: TestPhoto[];
let browser: Rgb[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'refseg-decode-browser-'));
  photos = await testPhotos();
  browser = await decodeInChromium(photos.map((p) => p.bytes));
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const decodedIn = (name: string) => browser[photos.findIndex((p) => p.name === name)];
const photo = (name: string) => photos.find((p) => p.name === name)!.bytes;

describe("Chromium's image decoding against the gpu-node's", () => {
  it('gives the same pixels on every test photo: PNG, JPEG of every kind, WebP', async () => {
    expect(photos.map((p) => p.name)).toHaveLength(12);
    for (let i = 0; i < photos.length; i++) {
      const node = await decodeImage(photos[i].bytes);
      const diff = pixelDifference(node, browser[i]);
      expect({ photo: photos[i].name, width: browser[i].width, height: browser[i].height, ...diff }).toEqual({
        photo: photos[i].name,
        width: node.width,
        height: node.height,
        valuesDiffering: 0,
        pixelsDiffering: 0,
        maxAbs: 0,
        meanAbs: 0,
      });
    }
  });

  it('compares real lossy decodes: the JPEGs differ from the pixels they were made of, and the sideways photo is turned upright', () => {
    const source = photoLike();
    const q60 = pixelDifference(source, decodedIn('photo-q60-progressive.jpg'));
    expect(q60.pixelsDiffering).toBeGreaterThan(0.5 * source.width * source.height);
    expect(q60.maxAbs).toBeGreaterThan(20);
    expect(pixelDifference(source, decodedIn('photo.png')).valuesDiffering).toBe(0);
    const rotated = decodedIn('photo-q90-exif6.jpg');
    expect([rotated.width, rotated.height]).toEqual([source.height, source.width]);
  });

  it('the stand-in pipeline finds the same objects, boxes and scores on both decodes of each JPEG of the scene', async () => {
    const paths = await generateStandins(join(dir, 'standins'));
    const pipeline = await openPipeline({ sam2Dir: paths.sam2A.dir, dinoPath: paths.dinoRegisters, threads: { intraOp: 1 } });
    try {
      const prototypes = await classPrototypes(pipeline);
      for (const name of ['scene-q92.jpg', 'scene-q95-444.jpg', 'scene-q75-progressive.jpg']) {
        const proposals = { preset: 'official' as const, pointsPerSide: 8 };
        const fromNode = await pipeline.segment(photo(name), prototypes, { proposals });
        const fromBrowser = await pipeline.segment(await pngOfRgb(decodedIn(name)), prototypes, { proposals });
        // Five instances of red, green and blue: the comparison is of real detections.
        expect(new Set(fromNode.detections.filter((d) => d.score > 0.5).map((d) => d.label))).toEqual(new Set([0, 1, 2]));
        expect(fromBrowser.detections).toEqual(fromNode.detections);
        expectSameCandidates({ ...fromBrowser.set, imageSha256: '' }, { ...fromNode.set, imageSha256: '' }, { values: 0 });
      }
    } finally {
      await pipeline.close();
    }
  }, 120_000);

  it('the weightless real SAM2.1 graph (3×3 grid) makes the same candidate set and detections from both decodes', async () => {
    const sam2Dir = filledModelDir(join(dir, 'real'));
    const dinoPath = join(dir, 'dinov2.onnx');
    await writeFile(dinoPath, dinov2().model);
    const pipeline = await openPipeline({ sam2Dir, dinoPath, threads: { intraOp: 1 } });
    try {
      const proposals = { preset: 'official' as const, pointsPerSide: 3 };
      const { set: fromNode } = await pipeline.candidates(photo('photo-q85.jpg'), { proposals });
      const { set: fromBrowser } = await pipeline.candidates(await pngOfRgb(decodedIn('photo-q85.jpg')), { proposals });
      expect(fromNode.candidates.length).toBeGreaterThan(0);
      // The image hash is of the bytes sent (JPEG vs PNG); everything computed from the pixels must agree exactly.
      expectSameCandidates({ ...fromBrowser, imageSha256: '' }, { ...fromNode, imageSha256: '' }, { values: 0 });
      expect(await expectSameDetections(fromBrowser, fromNode)).toBeGreaterThan(0);
    } finally {
      await pipeline.close();
    }
  }, 300_000);
});

/** Red, green and blue prototypes from the stand-in references given by mask. */
async function classPrototypes(pipeline: GpuPipeline): Promise<Float32Array[]> {
  const sums = new Map<string, { sum: Float32Array; n: number }>();
  for (const ref of referenceFixtures().filter((r) => r.box === undefined && r.class !== 'yellow')) {
    const { references } = await pipeline.referenceVectors(await pngOf(ref.scene), [{ class: ref.class, mask: maskRle(ref.scene) }]);
    for (const r of references) {
      const entry = sums.get(r.class) ?? { sum: new Float32Array(r.vector.length), n: 0 };
      for (let j = 0; j < r.vector.length; j++) entry.sum[j] += r.vector[j];
      entry.n++;
      sums.set(r.class, entry);
    }
  }
  return ['red', 'green', 'blue'].map((c) => {
    const { sum, n } = sums.get(c)!;
    return sum.map((v) => v / n);
  });
}
