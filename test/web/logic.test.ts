// The page's logic that needs no DOM: class colours, re-filtering, quality words, the segment
// queue (busy answers, Retry-After, cancel) and the COCO export.
import { describe, expect, it } from 'vitest';
import type { ReferenceView, SegmentDetection } from '../../shared/client/index.ts';
import { assignClassColours, colourDistance, PALETTE, textColourOn } from '../../web/src/colors.ts';
import { cocoResults } from '../../web/src/coco-export.ts';
import { visibleDetections } from '../../web/src/filter.ts';
import { qualityNote, referenceName } from '../../web/src/quality.ts';
import { SegmentQueue } from '../../web/src/queue.ts';

const RED = [250, 10, 10] as const;
const BLUE = [10, 10, 250] as const;
const GREEN = [10, 250, 10] as const;

describe('class colours', () => {
  it('stay far from the colours of the objects they mark, distinct per class', () => {
    const colours = assignClassColours([0, 1, 2], new Map([[0, [RED]], [1, [BLUE]], [2, [GREEN]]]));
    expect(new Set([...colours.values()].map(String)).size).toBe(3);
    for (const [label, own] of [[0, RED], [1, BLUE], [2, GREEN]] as const) {
      const c = colours.get(label)!;
      // Far from every object colour: no palette colour is within 200 of them.
      for (const obj of [RED, BLUE, GREEN]) expect(colourDistance(c, obj)).toBeGreaterThan(200);
      expect(colourDistance(c, own)).toBeGreaterThan(300);
    }
  });
  it('fall back to palette order for classes with nothing detected, and reuse only past the palette', () => {
    const colours = assignClassColours([...Array(PALETTE.length + 2).keys()], new Map());
    expect(colours.get(0)).toEqual(PALETTE[0]);
    expect(new Set([...colours.values()].slice(0, PALETTE.length).map(String)).size).toBe(PALETTE.length);
  });
  it('put black text on light chips and white on dark ones', () => {
    expect(textColourOn([255, 220, 0])).toBe('#000');
    expect(textColourOn([30, 90, 255])).toBe('#fff');
  });
});

const det = (cls: string, label: number, score: number): SegmentDetection => ({
  class: cls,
  label,
  score,
  box: [0, 0, 1, 1],
  bbox: [0, 0, 2, 2],
  area: 4,
  mask: { size: [2, 2], counts: '04' },
  index: 0,
});

describe('re-filtering in the page (shared selectDetections)', () => {
  const classes = ['cat', 'dog'];
  const list = [det('cat', 0, 0.9), det('dog', 1, 0.8), det('cat', 0, 0.6), det('dog', 1, 0.3)];
  it('keeps what reaches the global threshold, best first, with the API list index', () => {
    const kept = visibleDetections(list, classes, { score: 0.6, perClass: new Map() });
    expect(kept.map((k) => [k.detection.score, k.index])).toEqual([[0.9, 0], [0.8, 1], [0.6, 2]]);
  });
  it('lets a class threshold override the global one, both ways', () => {
    const kept = visibleDetections(list, classes, { score: 0.5, perClass: new Map([['cat', 0.95], ['dog', 0.2]]) });
    expect(kept.map((k) => k.index)).toEqual([1, 3]);
  });
  it('keeps everything at 0 and nothing above 1', () => {
    expect(visibleDetections(list, classes, { score: 0, perClass: new Map() })).toHaveLength(4);
    expect(visibleDetections(list, classes, { score: 1.01, perClass: new Map() })).toHaveLength(0);
  });
});

const ref = (over: Omit<Partial<ReferenceView>, 'quality'> & { quality?: Partial<ReferenceView['quality']> }): ReferenceView => ({
  id: 'ref_1',
  className: 'cup',
  negative: false,
  createdAt: '2026-01-01T00:00:00.000Z',
  source: { annotation: 'box' },
  ...over,
  quality: { basis: 'leave-one-out', classCosine: 0.91, nearestOtherClass: { className: 'plate', cosine: 0.2 }, margin: 0.71, outlier: false, confusable: false, ...over.quality },
});

describe('quality feedback in plain words', () => {
  it('names the reference by position, kind and image', () => {
    expect(referenceName(ref({}), 3, 'kitchen.jpg')).toBe('Reference 3 (box on kitchen.jpg)');
    expect(referenceName(ref({ negative: true, source: { annotation: 'imported' } }), 1, undefined)).toBe('Reference 1 (negative, imported from a bank file)');
  });
  it('says an outlier looks unlike its class and what to do', () => {
    const n = qualityNote(ref({ quality: { classCosine: 0.31, outlier: true } }), 'Reference 2 (box on a.jpg)');
    expect(n.tone).toBe('warn');
    expect(n.summary).toBe('Looks unlike the other "cup" examples.');
    expect(n.detail).toBe('Reference 2 (box on a.jpg) agrees only 31% with the rest of "cup". It may show a different object or have a mask that misses the object; check it, or delete it if it is wrong.');
  });
  it('names both references when an outlier has a single peer', () => {
    const n = qualityNote(ref({ quality: { classCosine: 0.1, outlier: true } }), 'Reference 4 (mask on b.png)', ['Reference 2 (box on a.png)']);
    expect(n.summary).toBe('Disagrees with the other "cup" example.');
    expect(n.detail).toMatch(/^Reference 4 \(mask on b\.png\) and Reference 2 \(box on a\.png\) are the only examples of "cup" and look unlike each other \(10%\)\./);
  });
  it('says a confusable reference is as close to the other class, naming it', () => {
    const n = qualityNote(ref({ quality: { classCosine: 0.7, nearestOtherClass: { className: 'mug', cosine: 0.68 }, margin: 0.02, confusable: true } }), 'Reference 4 (mask)');
    expect(n.summary).toBe('Easily confused with "mug".');
    expect(n.detail).toMatch(/^Reference 4 \(mask\) is about as close to "mug" \(68%\) as to "cup" \(70%\)/);
  });
  it('explains single examples, negatives and good references', () => {
    expect(qualityNote(ref({ quality: { basis: 'single-shot', classCosine: null, margin: null } }), 'R').summary).toBe('Only example of "cup" so far.');
    expect(qualityNote(ref({ negative: true, quality: { basis: 'class-prototype', classCosine: 0.5 } }), 'R').detail).toBe('R shows what "cup" is not: things that look like it get lower "cup" scores. It is 50% similar to the "cup" examples.');
    const ok = qualityNote(ref({}), 'R');
    expect([ok.tone, ok.summary]).toEqual(['ok', 'Agrees with the other "cup" examples (91%).']);
  });
});

describe('segment queue', () => {
  const blob = new Blob([new Uint8Array([1])]);
  const busy = (retryAfterSeconds?: number) => Object.assign(new Error('busy'), { status: 503, retryAfterSeconds });

  it('runs one image at a time in order, with queue positions', async () => {
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const q = new SegmentQueue<string>({
      run: async (file) => {
        const name = await file.text();
        order.push(`start ${name}`);
        if (name === 'a') await gate;
        return name;
      },
      onChange: () => {},
    });
    const [a, b, c] = q.add(['a', 'b', 'c'].map((n) => ({ name: n, file: new Blob([n]) })));
    await new Promise((r) => setTimeout(r, 10));
    expect([a.state, q.position(b), q.position(c)]).toEqual(['running', 1, 2]);
    release();
    await expect.poll(() => c.state).toBe('done');
    expect(order).toEqual(['start a', 'start b', 'start c']);
    expect([a.result, b.result, c.result]).toEqual(['a', 'b', 'c']);
  });

  it('waits Retry-After on 429/503 and tries again; gives up after maxAttempts', async () => {
    let calls = 0;
    const q = new SegmentQueue<number>({
      run: async () => {
        calls++;
        if (calls < 3) throw busy(calls === 1 ? 0.05 : undefined);
        return calls;
      },
      onChange: () => {},
      backoffMs: 20,
    });
    const [job] = q.add([{ name: 'x', file: blob }]);
    await expect.poll(() => job.state).toBe('waiting');
    expect(job.retryAt).toBeGreaterThan(Date.now() - 5);
    await expect.poll(() => job.state).toBe('done');
    expect([job.result, job.attempts]).toEqual([3, 3]);

    const stubborn = new SegmentQueue<number>({ run: async () => Promise.reject(busy(0)), onChange: () => {}, maxAttempts: 2, describeError: () => 'GPU busy' });
    const [k] = stubborn.add([{ name: 'y', file: blob }]);
    await expect.poll(() => k.state).toBe('failed');
    expect([k.attempts, k.error]).toEqual([2, 'GPU busy']);
  });

  it('fails at once on other errors; cancels a running, waiting or queued image', async () => {
    const q = new SegmentQueue<number>({
      run: (file, signal) =>
        new Promise((_, reject) => {
          void file;
          signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
        }),
      onChange: () => {},
    });
    const [a, b] = q.add([{ name: 'a', file: blob }, { name: 'b', file: blob }]);
    await expect.poll(() => a.state).toBe('running');
    q.cancel(b);
    q.cancel(a);
    expect([a.state, b.state]).toEqual(['cancelled', 'cancelled']);
    expect(q.active).toBe(false);

    const failing = new SegmentQueue<number>({ run: async () => Promise.reject(Object.assign(new Error('bad image'), { status: 415 })), onChange: () => {}, describeError: (e) => (e as Error).message });
    const [f] = failing.add([{ name: 'f', file: blob }]);
    await expect.poll(() => f.state).toBe('failed');
    expect([f.attempts, f.error]).toEqual([1, 'bad image']);

    const waiting = new SegmentQueue<number>({ run: async () => Promise.reject(busy(30)), onChange: () => {} });
    const [w] = waiting.add([{ name: 'w', file: blob }]);
    await expect.poll(() => w.state).toBe('waiting');
    waiting.cancel(w);
    await new Promise((r) => setTimeout(r, 10));
    expect([w.state, w.attempts]).toEqual(['cancelled', 1]);
  });
});

describe('COCO export', () => {
  it('writes images, 1-based categories and scored RLE annotations', () => {
    const d = det('dog', 1, 0.75);
    const file = cocoResults(['cat', 'dog'], [{ fileName: 'a.jpg', width: 2, height: 2, detections: [d] }, { fileName: 'b.jpg', width: 4, height: 3, detections: [] }]);
    expect(file.images).toEqual([{ id: 1, file_name: 'a.jpg', width: 2, height: 2 }, { id: 2, file_name: 'b.jpg', width: 4, height: 3 }]);
    expect(file.categories).toEqual([{ id: 1, name: 'cat' }, { id: 2, name: 'dog' }]);
    expect(file.annotations).toEqual([{ id: 1, image_id: 1, category_id: 2, segmentation: d.mask, area: 4, bbox: [0, 0, 2, 2], score: 0.75, iscrowd: 0 }]);
  });
});
