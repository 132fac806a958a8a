// The image scheduler: lanes overlap (image i+1 in the encoder while image i is in the decoder),
// order is kept, abandoned images never start their next step, and on stand-in models N images
// run pipelined give the same candidate sets as the same images one at a time.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobCancelledError, runForCaller } from '../models/job-context.ts';
import { generateStandins } from '../standin/generate.ts';
import { pngOf, targetScene } from '../standin/samples.ts';
import { openPipeline } from './index.ts';
import type { GpuPipeline } from './index.ts';
import { ImageScheduler, imagesInFlight, laneWidths } from './scheduler.ts';
import type { Lane, LaneEvent } from './scheduler.ts';
import { defaultWorkers, intraOpThreads, threadPlan } from './scheduler-threads.ts';

type Event = [Lane, number, LaneEvent];
const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

/** Steps whose model lanes wait for the test to open them; records what ran. */
function gatedSteps(name: string, ran: string[], gates: Map<string, Promise<void>>) {
  const gate = (lane: string) => gates.get(`${name}:${lane}`) ?? Promise.resolve();
  return {
    prepare: async () => {
      ran.push(`${name}:prepare`);
      return name;
    },
    encode: async (p: string) => {
      ran.push(`${name}:encode`);
      await gate('encode');
      return p;
    },
    decode: async (e: string) => {
      ran.push(`${name}:decode`);
      await gate('decode');
      return e;
    },
    finish: (d: string) => {
      ran.push(`${name}:finish`);
      return `${d} done`;
    },
  };
}

function opener() {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  return { gate, open };
}

/** Whether some image was in lane `a` while the next image was in lane `b`. */
function overlapped(events: readonly Event[], a: Lane, b: Lane): boolean {
  const inLane = new Map<Lane, Set<number>>();
  for (const [lane, image, event] of events) {
    const set = inLane.get(lane) ?? new Set<number>();
    if (event === 'start') set.add(image);
    else set.delete(image);
    inLane.set(lane, set);
    for (const i of inLane.get(a) ?? []) if (inLane.get(b)?.has(i + 1)) return true;
  }
  return false;
}

describe('ImageScheduler', () => {
  it('runs the encoder of image i+1 while image i is in the decoder, and keeps the order', async () => {
    const events: Event[] = [];
    const ran: string[] = [];
    const s = new ImageScheduler({ workers: 2, onLane: (lane, image, event) => events.push([lane, image, event]) });
    const decodeA = opener();
    const gates = new Map([['a:decode', decodeA.gate]]);
    const a = s.run(gatedSteps('a', ran, gates));
    const b = s.run(gatedSteps('b', ran, gates));
    const c = s.run(gatedSteps('c', ran, gates));
    await tick();
    // a waits in the decoder; b went through the encoder meanwhile and waits for the decoder lane;
    // c followed b through prepare and encode; both wait for the decoder lane.
    expect(ran).toEqual(['a:prepare', 'b:prepare', 'a:encode', 'c:prepare', 'b:encode', 'a:decode', 'c:encode']);
    expect(s.load().decode).toMatchObject({ running: 1, waiting: 2 });
    expect(overlapped(events, 'decode', 'encode')).toBe(true);
    decodeA.open();
    expect(await Promise.all([a, b, c])).toEqual(['a done', 'b done', 'c done']);
    // Every lane sees the images in the order they came.
    for (const lane of ['prepare', 'encode', 'decode', 'finish'] as const) {
      expect(events.filter(([l, , e]) => l === lane && e === 'start').map(([, i]) => i)).toEqual([1, 2, 3]);
    }
  });

  it('never starts the next step of an image whose caller has gone or whose deadline passed while it waited', async () => {
    const ran: string[] = [];
    const s = new ImageScheduler({ workers: 2 });
    const encodeA = opener();
    const gates = new Map([['a:encode', encodeA.gate]]);
    const a = s.run(gatedSteps('a', ran, gates));
    const client = new AbortController();
    const gone = runForCaller({ signal: client.signal }, () => s.run(gatedSteps('gone', ran, gates))).catch((e: unknown) => e);
    const late = runForCaller({ deadline: performance.now() + 20 }, () => s.run(gatedSteps('late', ran, gates))).catch((e: unknown) => e);
    const kept = s.run(gatedSteps('kept', ran, gates));
    await tick();
    expect(s.load().encode.waiting).toBe(3);
    client.abort();
    await tick(40);
    expect(s.load().encode).toMatchObject({ waiting: 1, cancelled: 2 });
    encodeA.open();
    expect(await a).toBe('a done');
    expect(await kept).toBe('kept done');
    const [g, l] = await Promise.all([gone, late]);
    expect(g).toBeInstanceOf(JobCancelledError);
    expect((g as Error).message).toMatch(/caller has gone/);
    expect(l).toBeInstanceOf(JobCancelledError);
    expect((l as Error).message).toMatch(/deadline has passed/);
    expect(ran.filter((r) => r.startsWith('gone:') || r.startsWith('late:'))).toEqual(['gone:prepare', 'late:prepare']);
  });

  it('refuses an image whose caller is already gone before any step', async () => {
    const ran: string[] = [];
    const s = new ImageScheduler({ workers: 1 });
    const client = new AbortController();
    client.abort();
    await expect(runForCaller({ signal: client.signal }, () => s.run(gatedSteps('x', ran, new Map())))).rejects.toBeInstanceOf(JobCancelledError);
    expect(ran).toEqual([]);
  });

  it('gives each model lane its share of the workers', () => {
    expect(laneWidths(1)).toEqual({ prepare: 1, encode: 1, decode: 1, finish: 1 });
    expect(laneWidths(2)).toEqual({ prepare: 1, encode: 1, decode: 1, finish: 1 });
    expect(laneWidths(4)).toEqual({ prepare: 1, encode: 2, decode: 2, finish: 1 });
    expect(imagesInFlight(2)).toBe(4);
    expect(imagesInFlight(6)).toBe(8);
  });
});

describe('thread plan', () => {
  it('shares the cores among the workers, at least one thread each, and keeps an explicit count', () => {
    expect(intraOpThreads(2, 2)).toBe(1);
    expect(intraOpThreads(8, 2)).toBe(4);
    expect(intraOpThreads(8, 3)).toBe(2);
    expect(intraOpThreads(1, 4)).toBe(1);
    expect(threadPlan({ cores: 16 })).toEqual({ workers: 2, intraOp: 8 });
    expect(threadPlan({ cores: 16, workers: 1 })).toEqual({ workers: 1, intraOp: 16 });
    expect(threadPlan({ cores: 16, workers: 2, intraOp: 3 })).toEqual({ workers: 2, intraOp: 3 });
    expect(threadPlan({ cores: 16, workers: 2, intraOp: 0 })).toEqual({ workers: 2, intraOp: 8 });
    expect([defaultWorkers('cpu'), defaultWorkers('cuda')]).toEqual([1, 2]);
  });
});

describe('pipelined candidate sets on stand-in models', () => {
  let dir: string;
  let pipeline: GpuPipeline;
  let images: Uint8Array[];
  const events: Event[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'refseg-scheduler-'));
    const paths = await generateStandins(dir);
    pipeline = await openPipeline({ sam2Dir: paths.sam2A.dir, dinoPath: paths.dino, workers: 2, threads: { intraOp: 1 }, onLane: (l, i, e) => events.push([l, i, e]) });
    const png = Buffer.from(await pngOf(targetScene()));
    // Four different images: the scene as it is, mirrored, flipped and both.
    images = await Promise.all([
      png,
      sharp(png).flop().png().toBuffer(),
      sharp(png).flip().png().toBuffer(),
      sharp(png).flip().flop().png().toBuffer(),
    ]).then((bs) => bs.map((b) => new Uint8Array(b)));
  }, 120_000);

  afterAll(async () => {
    await pipeline?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('gives for N images pipelined the candidate sets of the same images one at a time', async () => {
    const proposals = { preset: 'official', pointsPerSide: 8 } as const;
    const sequential = [];
    for (const bytes of images) sequential.push((await pipeline.candidates(bytes, { proposals })).set);
    events.length = 0;
    const pipelined = (await Promise.all(images.map((bytes) => pipeline.candidates(bytes, { proposals })))).map((r) => r.set);
    expect(pipelined.map((s) => s.imageSha256)).toEqual(sequential.map((s) => s.imageSha256));
    expect(new Set(sequential.map((s) => s.imageSha256)).size).toBe(4);
    expect(sequential.every((s) => s.candidates.length > 0)).toBe(true);
    expect(pipelined).toEqual(sequential);
    // The images did overlap: one was prepared while the one ahead was in the models.
    expect(overlapped(events, 'encode', 'prepare')).toBe(true);
    expect(pipeline.info).toMatchObject({ workers: 2, threads: { intraOp: 1 } });
  }, 120_000);

  it('segments pipelined with the detections of one at a time', async () => {
    const proposals = { preset: 'official', pointsPerSide: 4 } as const;
    const dim = pipeline.info.dino.dim;
    const prototypes = [Float32Array.from({ length: dim }, (_, i) => Math.sin(i + 1)), Float32Array.from({ length: dim }, (_, i) => Math.cos(i))];
    const one = await pipeline.segment(images[0], prototypes, { proposals });
    const [again, other] = await Promise.all([pipeline.segment(images[0], prototypes, { proposals }), pipeline.segment(images[1], prototypes, { proposals })]);
    expect(again).toEqual(one);
    expect(other.set.imageSha256).not.toBe(one.set.imageSha256);
    expect(one.detections.length).toBeGreaterThan(0);
  }, 120_000);
});
