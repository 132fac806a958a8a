import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CocoImage } from '../../shared/coco-eval/index.ts';
import { encodeMask } from '../../shared/coco-mask/index.ts';
import { DatasetError } from './errors.ts';
import { runEvaluation } from './eval-run.ts';
import type { EvalRunOptions } from './eval-run.ts';
import { openProgressLog } from './progress-log.ts';
import type { ImageSegmenter, SegmentedImage } from './segmenter.ts';

let dir: string;
const images: CocoImage[] = [1, 2, 3, 4, 5].map((id) => ({ id, width: 4, height: 3, file_name: `${id}.png` }));

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'refseg-evalrun-'));
  for (const img of images) await writeFile(join(dir, img.file_name!), `image ${img.id}`);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Two detections per image whose scores and labels depend on the image bytes; counts its calls. */
function fakeSegmenter(onSegment?: (calls: number) => void): ImageSegmenter & { calls: number[] } {
  const calls: number[] = [];
  return {
    calls,
    identity: { fake: true },
    async segment(bytes, image): Promise<SegmentedImage> {
      calls.push(image.id);
      onSegment?.(calls.length);
      const mask = encodeMask(Uint8Array.from({ length: 12 }, (_, i) => (i < bytes[6] % 12 ? 1 : 0)), 3, 4);
      return {
        width: 4,
        height: 3,
        detections: [
          { label: 1, score: 0.9, bbox: [0, 0, 2, 2], mask },
          { label: 0, score: bytes.length / 100, bbox: [1, 1, 1, 1], mask },
        ],
      };
    },
    close: async () => {},
  };
}

async function run(segmenter: ImageSegmenter, extra: Partial<EvalRunOptions> = {}) {
  const log = await openProgressLog(join(dir, 'out.json.progress.jsonl'), 'fp');
  try {
    return await runEvaluation({ images, imagesDir: dir, segmenter, categoryIds: [7, 3], log, fingerprint: 'fp', ...extra });
  } finally {
    await log.close();
  }
}

describe('runEvaluation', () => {
  it('segments every image in order and maps labels to category ids', async () => {
    const seg = fakeSegmenter();
    const out = await run(seg);
    expect(seg.calls).toEqual([1, 2, 3, 4, 5]);
    expect(out).toMatchObject({ complete: true, done: 5, total: 5, segmented: 5, reused: 0 });
    expect(out.results.map((r) => [r.image_id, r.category_id])).toEqual(images.flatMap((i) => [[i.id, 3], [i.id, 7]]));
  });

  it('stopped by --max-images, a second run segments only the rest and ends with the same results', async () => {
    const whole = await run(fakeSegmenter());
    await rm(join(dir, 'out.json.progress.jsonl'));

    const first = fakeSegmenter();
    const stopped = await run(first, { maxImages: 2 });
    expect(stopped).toMatchObject({ complete: false, stoppedBy: 'max-images', segmented: 2, done: 2 });
    expect(first.calls).toEqual([1, 2]);

    const second = fakeSegmenter();
    const resumed = await run(second);
    expect(second.calls).toEqual([3, 4, 5]);
    expect(resumed).toMatchObject({ complete: true, segmented: 3, reused: 2 });
    expect(resumed.results).toEqual(whole.results);
  });

  it('an abort stops before the next image; the finished ones are kept', async () => {
    const controller = new AbortController();
    const first = fakeSegmenter((n) => n === 3 && controller.abort());
    const stopped = await run(first, { signal: controller.signal });
    expect(stopped).toMatchObject({ complete: false, stoppedBy: 'signal', segmented: 3 });
    const second = fakeSegmenter();
    expect((await run(second)).reused).toBe(3);
    expect(second.calls).toEqual([4, 5]);
  });

  it('an image whose bytes changed since it was logged is segmented again', async () => {
    await run(fakeSegmenter());
    await writeFile(join(dir, '2.png'), 'image 2, edited');
    const seg = fakeSegmenter();
    const out = await run(seg);
    expect(seg.calls).toEqual([2]);
    expect(out.results.find((r) => r.image_id === 2 && r.category_id === 7)?.score).toBe(15 / 100);
  });

  it('refuses masks of another size than the COCO file says (e.g. EXIF applied)', async () => {
    const seg = fakeSegmenter();
    const rotated: ImageSegmenter = { ...seg, segment: async (b, i) => ({ ...(await seg.segment(b, i)), width: 3, height: 4 }) };
    await expect(run(rotated)).rejects.toThrow(DatasetError);
    await expect(run(rotated)).rejects.toThrow(/3×4 pixels, but the COCO file says 4×3/);
  });

  it('with several images in flight, segments them at once and logs the results in image order', async () => {
    const whole = await run(fakeSegmenter());
    await rm(join(dir, 'out.json.progress.jsonl'));
    const seg = fakeSegmenter();
    let running = 0;
    let most = 0;
    // Later images answer sooner, so results arrive out of order.
    const slow: ImageSegmenter = {
      ...seg,
      segment: async (b, i) => {
        most = Math.max(most, ++running);
        await new Promise((r) => setTimeout(r, 40 - 8 * i.id));
        running--;
        return seg.segment(b, i);
      },
    };
    const out = await run(slow, { inFlight: 3 });
    expect(most).toBe(3);
    expect(out).toMatchObject({ complete: true, done: 5, segmented: 5 });
    expect(out.results).toEqual(whole.results);
    const logged = await openProgressLog(join(dir, 'out.json.progress.jsonl'), 'fp');
    expect([...logged.done.keys()]).toEqual([1, 2, 3, 4, 5]);
    await logged.close();
  });

  it('with several images in flight, --max-images and an abort still stop at the right image', async () => {
    const first = fakeSegmenter();
    expect(await run(first, { maxImages: 2, inFlight: 4 })).toMatchObject({ stoppedBy: 'max-images', segmented: 2, done: 2 });
    expect(first.calls).toEqual([1, 2]);
    const controller = new AbortController();
    const second = fakeSegmenter((n) => n === 1 && controller.abort());
    // Image 3 was started when the abort came; it finishes and is logged, image 4 is not started.
    expect(await run(second, { signal: controller.signal, inFlight: 4 })).toMatchObject({ stoppedBy: 'signal', segmented: 1, reused: 2, done: 3 });
    expect(second.calls).toEqual([3]);
  });
});
