// Model worker thread: owns one SAM2 encoder/decoder pair and one DINOv2 session and runs one
// request at a time (the pool never sends a second before the first is answered).
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { bestMasksBuffers } from './compact-masks.ts';
import { DinoRunner } from './dino-runner.ts';
import { embeddingsKey, serializeError, type Request, type ResultOf, type Sam2Embeddings, type WorkerConfig, type WorkerMessage } from './protocol.ts';
import { levelTensors, type Levels } from './sam2-layout.ts';
import { Sam2Runner } from './sam2-runner.ts';

const port = parentPort!;
const config = (workerData as { config: WorkerConfig }).config;

/** ORT tensors of recently seen embeddings (ORT cannot read SharedArrayBuffer memory). */
const CACHED = 2;
const cache = new Map<string, Levels>();
let made = 0;

function levelsOf(emb: Sam2Embeddings): Levels {
  let levels = cache.get(emb.key);
  if (levels) {
    cache.delete(emb.key);
  } else {
    levels = levelTensors([emb.levels[0].slice(), emb.levels[1].slice(), emb.levels[2].slice()]);
  }
  cache.set(emb.key, levels);
  while (cache.size > CACHED) cache.delete(cache.keys().next().value!);
  return levels;
}

function share(levels: readonly Float32Array[]): Sam2Embeddings['levels'] {
  const total = levels.reduce((n, l) => n + l.length, 0);
  const sab = new SharedArrayBuffer(total * 4);
  let at = 0;
  const views = levels.map((l) => {
    const v = new Float32Array(sab, at * 4, l.length);
    v.set(l);
    at += l.length;
    return v;
  });
  return [views[0], views[1], views[2]];
}

async function handle(sam2: Sam2Runner, dino: DinoRunner, req: Request): Promise<[ResultOf[keyof ResultOf], ArrayBuffer[]]> {
  switch (req.op) {
    case 'encode': {
      const levels = await sam2.encode(req.pixels);
      made += 1;
      const emb: Sam2Embeddings = { key: embeddingsKey(threadId, made), levels: share(levels) };
      cache.set(emb.key, levelTensors(levels));
      while (cache.size > CACHED) cache.delete(cache.keys().next().value!);
      return [emb, []];
    }
    case 'decodePoints': {
      const d = await sam2.decodePoints(levelsOf(req.emb), req.points, req.labels);
      return [d, [d.logits.buffer as ArrayBuffer, d.iou.buffer as ArrayBuffer]];
    }
    case 'decodePrompt': {
      const d = await sam2.decodePrompt(levelsOf(req.emb), req.points, req.labels);
      return [d, [d.logits.buffer as ArrayBuffer, d.iou.buffer as ArrayBuffer]];
    }
    case 'decodeBoxes': {
      const d = await sam2.decodeBoxes(levelsOf(req.emb), req.boxes);
      return [d, [d.logits.buffer as ArrayBuffer, d.iou.buffer as ArrayBuffer]];
    }
    case 'proposePoints': {
      const b = await sam2.proposePoints(levelsOf(req.emb), req.points, req.iouThreshold, req.size, req.features);
      return [b, bestMasksBuffers(b)];
    }
    case 'patchFeatures': {
      const f = await dino.patchFeatures(req.pixels);
      return [f, [f.buffer as ArrayBuffer]];
    }
  }
}

async function main(): Promise<void> {
  let sam2: Sam2Runner;
  let dino: DinoRunner;
  try {
    sam2 = await Sam2Runner.open(config.sam2, config.settings, config.sam2Options);
    dino = await DinoRunner.open(config.dino, config.settings);
  } catch (err) {
    port.postMessage({ type: 'failed', error: serializeError(err) } satisfies WorkerMessage);
    return;
  }
  port.on('message', async ({ id, req }: { id: number; req: Request }) => {
    try {
      const [result, transfer] = await handle(sam2, dino, req);
      port.postMessage({ type: 'result', id, result } satisfies WorkerMessage, transfer);
    } catch (err) {
      port.postMessage({ type: 'error', id, error: serializeError(err) } satisfies WorkerMessage);
    }
  });
  port.postMessage({ type: 'ready', info: { sam2: sam2.info, dino: dino.info } } satisfies WorkerMessage);
}

await main();
