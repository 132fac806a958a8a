// The models run on the calling thread, for a host that is itself the model thread: a browser's
// Web Worker (web/device/worker.ts) runs the whole pipeline there. Same runners, patches and
// layouts as the gpu-node's worker threads (worker.ts); no pool, one request at a time.
import type { SessionSettings } from './backend.ts';
import { DinoRunner } from './dino-runner.ts';
import type { GraphFile } from './graph-source.ts';
import type { DinoApi, ModelsInfo, Sam2Api } from './index.ts';
import { producerNameOf, STANDIN_PRODUCER } from './producer.ts';
import type { Sam2Embeddings } from './protocol.ts';
import { levelTensors, type Levels } from './sam2-layout.ts';
import { Sam2Runner, type Sam2Options } from './sam2-runner.ts';

export interface InThreadGraphs {
  encoder: GraphFile;
  decoder: GraphFile;
  dino: GraphFile;
}

export interface InThreadModels {
  sam2: Sam2Api;
  dino: DinoApi;
  info: ModelsInfo;
}

export async function openInThread(graphs: InThreadGraphs, settings: SessionSettings, sam2Options: Sam2Options): Promise<InThreadModels> {
  const sam2 = await Sam2Runner.open({ encoder: graphs.encoder.where, decoder: graphs.decoder.where }, settings, sam2Options, graphs);
  const dino = await DinoRunner.open(graphs.dino, settings);
  // One model run at a time, as in a pool worker: the pipeline overlaps the encoder with DINOv2's
  // resize, and onnxruntime-web's runs must not interleave on one WASM instance.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(run: () => Promise<T>): Promise<T> => {
    const next = queue.then(run, run);
    queue = next.catch(() => {});
    return next;
  };
  // ORT tensors of the last image's embeddings: its prompts arrive batch after batch.
  let last: { key: string; levels: Levels } | null = null;
  let made = 0;
  const levelsOf = (emb: Sam2Embeddings): Levels => {
    if (last?.key !== emb.key) last = { key: emb.key, levels: levelTensors(emb.levels) };
    return last.levels;
  };
  const heads = await Promise.all([graphs.encoder, graphs.decoder, graphs.dino].map(async (g) => producerNameOf((await g.bytes()).subarray(0, 4096))));
  const provider = sam2.info.provider === dino.info.provider ? sam2.info.provider : 'cpu';
  return {
    sam2: {
      encode: (pixels) =>
        serial(async () => {
          const levels = await sam2.encode(pixels);
          made += 1;
          return { key: `in-thread:${made}`, levels };
        }),
      decodePoints: (emb, points, labels) => {
        const n = Math.floor(points.length / 2);
        const lab = labels === undefined ? new Int32Array(n).fill(1) : Int32Array.from(labels);
        return serial(() => sam2.decodePoints(levelsOf(emb), Float32Array.from(points), lab));
      },
      decodePrompt: (emb, points, labels) => serial(() => sam2.decodePrompt(levelsOf(emb), Float32Array.from(points), Int32Array.from(labels))),
      decodeBox: (emb, boxes) => serial(() => sam2.decodeBoxes(levelsOf(emb), Float32Array.from(boxes))),
    },
    dino: { patchFeatures: (pixels) => serial(() => dino.patchFeatures(pixels)) },
    info: {
      sam2: sam2.info,
      dino: dino.info,
      provider,
      backend: settings.runtime ?? 'node',
      workers: 1,
      threads: { intraOp: settings.intraOpThreads, interOp: settings.interOpThreads },
      standin: heads.includes(STANDIN_PRODUCER),
    },
  };
}
