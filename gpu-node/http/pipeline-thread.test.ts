// The served pipeline in its own thread, on stand-in models: same answers as in-thread, problems
// keep their status and type, and the HTTP thread answers /healthz while a request rasterises a
// costly polygon (it would wait for the rasterising if that ran on the HTTP thread).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateStandins } from '../standin/generate.ts';
import type { GpuPipeline, Stage } from '../pipeline/index.ts';
import { openPipeline } from '../pipeline/index.ts';
import { openPipelineThread } from './pipeline-thread.ts';
import { serveGpuNode } from './server.ts';

const SECRET = 'thread-test-secret';
let dir: string;
let threaded: GpuPipeline;
let options: Parameters<typeof openPipeline>[0];
let inline: GpuPipeline;
let small: Uint8Array;
let large: Uint8Array;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'refseg-thread-'));
  const paths = await generateStandins(dir);
  options = { sam2Dir: paths.sam2A.dir, dinoPath: paths.dino, threads: { intraOp: 1 } };
  [threaded, inline] = await Promise.all([openPipelineThread(options), openPipeline(options)]);
  const image = (w: number, h: number) => sharp({ create: { width: w, height: h, channels: 3, background: { r: 200, g: 40, b: 40 } } }).png().toBuffer();
  small = new Uint8Array(await image(96, 64));
  large = new Uint8Array(await image(3000, 2000));
}, 120_000);

afterAll(async () => {
  await Promise.all([threaded?.close(), inline?.close()]);
  await rm(dir, { recursive: true, force: true });
});

describe('openPipelineThread', () => {
  it('gives the same candidate sets, reference vectors and mask previews as the pipeline in the calling thread', async () => {
    expect(threaded.modelId).toBe(inline.modelId);
    expect(threaded.pipelineId('official')).toBe(inline.pipelineId('official'));
    const stages: Stage[] = [];
    // A 4×4 grid keeps the decoder work small; the proxy is what is under test.
    const proposals = { preset: 'official', pointsPerSide: 4 } as const;
    const a = await threaded.candidates(small, { proposals, observe: (s) => stages.push(s) });
    const b = await inline.candidates(small, { proposals });
    expect(a.set).toEqual(b.set);
    expect(stages).toContain('sam2-encoder');
    const annotations = [{ class: 'x', polygons: [[10, 10, 60, 12, 40, 50]] }];
    const ra = await threaded.referenceVectors(small, annotations);
    const rb = await inline.referenceVectors(small, annotations);
    expect(ra).toEqual(rb);
    const prompt = { box: [10, 10, 50, 40] as [number, number, number, number] };
    const pa = await threaded.previewMask(small, prompt);
    expect(pa.rle.counts.length).toBeGreaterThan(0);
    expect(pa).toEqual(await inline.previewMask(small, prompt));
    expect(threaded.models.load()).toMatchObject({ busy: 0, queued: 0 });
  });

  it('passes problems on with their status, type and field', async () => {
    const err = await threaded.referenceVectors(small, [{ class: 'x', polygons: [[500, 500, 600, 500, 600, 600]] }]).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 422, type: 'https://refseg.dev/problems/empty-reference' });
    const corrupt = await threaded.candidates(new Uint8Array([1, 2, 3])).catch((e: unknown) => e);
    expect(corrupt).toMatchObject({ status: expect.any(Number) });
    expect((corrupt as { status: number }).status).toBeGreaterThanOrEqual(400);
    expect((corrupt as { status: number }).status).toBeLessThan(500);
  });

  it('replaces a pipeline thread that dies: its calls and those meanwhile get 503, later ones run', async () => {
    const threads: Worker[] = [];
    const p = await openPipelineThread(options, { onThread: (w) => threads.push(w) });
    try {
      const annotations = [{ class: 'x', polygons: [[10, 10, 60, 12, 40, 50]] }];
      const before = await p.referenceVectors(small, annotations);
      const inFlight = p.referenceVectors(small, annotations).catch((e: unknown) => e);
      await threads[0].terminate();
      expect(await inFlight).toMatchObject({ status: 503 });
      expect(await p.referenceVectors(small, annotations).catch((e: unknown) => e)).toMatchObject({ status: 503 });
      let after: unknown;
      for (let i = 0; i < 600 && !(after && !(after instanceof Error)); i++) {
        await new Promise((r) => setTimeout(r, 50));
        after = await p.referenceVectors(small, annotations).catch((e: unknown) => e);
      }
      expect(after).toEqual(before);
      expect(threads).toHaveLength(2);
      expect(p.models.load().restarts).toBe(1);
    } finally {
      await p.close();
    }
  }, 60_000);

  it('answers /healthz while the pipeline rasterises a costly polygon', async () => {
    let decoded!: () => void;
    const whenDecoded = new Promise<void>((r) => (decoded = r));
    const events: string[] = [];
    // The image is decoded first, then the polygon rasterised and the crop made (stage
    // 'reference-crop' ends after both): health is asked after decoding and must answer before
    // the crop is done, which it could not if that work ran on the HTTP thread.
    const watched: GpuPipeline = {
      ...threaded,
      referenceVectors: (bytes, annotations, request = {}) =>
        threaded.referenceVectors(bytes, annotations, {
          ...request,
          observe: (stage, ms) => {
            request.observe?.(stage, ms);
            if (stage === 'decode') decoded();
            if (stage === 'reference-crop') events.push('rasterised');
          },
        }),
    };
    const node = await serveGpuNode({ pipeline: watched, secret: SECRET, port: 0, log: () => {} });
    try {
      // 8000 vertices zigzagging across all 3000 columns: ~2.4·10^7 column crossings.
      const zigzag: number[] = [];
      for (let i = 0; i < 8000; i++) zigzag.push(i % 2 === 0 ? -5 : 3005, (i * 2000) / 8000);
      const form = new FormData();
      form.append('image', new Blob([large as BlobPart], { type: 'image/png' }), 'x.png');
      form.append('annotations', JSON.stringify([{ class: 'x', polygons: [zigzag] }]));
      const heavy = fetch(`${node.url}/v1/reference-vectors`, { method: 'POST', headers: { Authorization: `Bearer ${SECRET}` }, body: form }).then(async (res) => {
        events.push(`references ${res.status}`);
        await res.arrayBuffer();
      });
      await whenDecoded;
      const health = await fetch(`${node.url}/healthz`);
      events.push(`healthz ${health.status}`);
      await heavy;
      expect(events).toEqual(['healthz 200', 'rasterised', 'references 200']);
    } finally {
      await node.close();
    }
  }, 60_000);
});
