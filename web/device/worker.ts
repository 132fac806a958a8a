// The on-device model worker: the gpu-node pipeline core on onnxruntime-web, in a browser Web
// Worker. It opens SAM2 and DINOv2 from bytes the page fetched (same layout detection and graph
// patches as a gpu-node), decodes each image itself, and answers with the binary candidate set.
// web/build.ts bundles it as its own asset; the page never loads it unless on-device mode is used.
import * as ort from 'onnxruntime-web';
import { bytesToHex, sha256, sha256Hex } from '../../shared/encoding/index.ts';
import { RefsegError, ValidationError } from '../../shared/errors.ts';
import { encodeCandidateSet } from '../../shared/wire/index.ts';
import { memoryGraph } from '../../gpu-node/models/graph-source.ts';
import type { GraphFile } from '../../gpu-node/models/graph-source.ts';
import { openInThread } from '../../gpu-node/models/in-thread.ts';
import type { InThreadModels } from '../../gpu-node/models/in-thread.ts';
import { candidateSet } from '../../gpu-node/pipeline/candidates.ts';
import { encodeInputs, modelInputs } from '../../gpu-node/pipeline/encode-target.ts';
import { modelIdFromHashes } from '../../gpu-node/pipeline/model-id-digest.ts';
import { pipelineIdOf, resolveProposalConfig } from '../../gpu-node/pipeline/presets.ts';
import { timed } from '../../gpu-node/pipeline/stages.ts';
import type { Stage } from '../../gpu-node/pipeline/stages.ts';
import type { DeviceCandidatesOptions, DeviceStages } from '../src/device/engine.ts';
import { decodeInBrowser } from './decode.ts';
import { isDeviceStage } from './protocol.ts';
import type { FromWorker, GraphBytes, ToWorker, WorkerCandidates } from './protocol.ts';

interface Opened {
  models: InThreadModels;
  modelId: string;
}

let opened: Opened | null = null;
let queue: Promise<unknown> = Promise.resolve();

const post = (msg: FromWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(msg, transfer);

function messageOf(err: unknown): string {
  if (err instanceof RefsegError) return err.detail;
  return err instanceof Error ? err.message : String(err);
}

function graphOf(g: GraphBytes): GraphFile {
  return memoryGraph(g.name, new Uint8Array(g.bytes), new Map(g.data.map((d) => [d.name, new Uint8Array(d.bytes)])));
}

/** The file's hash and its `<name>_data` sibling's, as model-id.ts hashes files on disk. */
async function hashesOf(g: GraphBytes): Promise<string[]> {
  const sibling = g.data.find((d) => d.name === `${g.name}_data`);
  return Promise.all([g.bytes, ...(sibling ? [sibling.bytes] : [])].map(async (b) => bytesToHex(await sha256(b))));
}

async function open(msg: Extract<ToWorker, { type: 'open' }>): Promise<void> {
  const t0 = performance.now();
  ort.env.wasm.wasmBinary = msg.wasm;
  // Threads need SharedArrayBuffer, which a page has only when cross-origin isolated.
  const threads = self.crossOriginIsolated ? Math.max(1, msg.threads) : 1;
  ort.env.wasm.numThreads = threads;
  const settings = { runtime: 'web' as const, provider: msg.provider === 'webgpu' ? ('webgpu' as const) : ('cpu' as const), intraOpThreads: threads, interOpThreads: 0 };
  const models = await openInThread(
    { encoder: graphOf(msg.encoder), decoder: graphOf(msg.decoder), dino: graphOf(msg.dino) },
    settings,
    { removeNoMemEmbed: true, removeMaskClip: true, decoderImageOnce: true, decoderBestMask: true, maxPromptBatch: 64 },
  );
  const [sam2Hashes, dinoHashes] = await Promise.all([
    Promise.all([hashesOf(msg.encoder), hashesOf(msg.decoder)]).then((h) => h.flat()),
    hashesOf(msg.dino),
  ]);
  const modelId = await modelIdFromHashes(models.info, sam2Hashes, dinoHashes);
  opened = { models, modelId };
  const fallbackReason = models.info.sam2.fallbackReason ?? models.info.dino.fallbackReason;
  post({
    type: 'opened',
    info: {
      modelId,
      provider: models.info.provider === 'webgpu' ? 'webgpu' : 'wasm',
      ...(msg.provider === 'webgpu' && fallbackReason !== undefined ? { fallbackReason } : {}),
      threads,
      dim: models.info.dino.dim,
      standin: models.info.standin,
      openMs: performance.now() - t0,
    },
  });
}

async function candidates(file: Blob, options: DeviceCandidatesOptions): Promise<WorkerCandidates> {
  if (!opened) throw new Error('the engine is not open');
  const { models, modelId } = opened;
  const { preset, pointsPerSide } = options;
  let config;
  if (pointsPerSide === undefined) config = resolveProposalConfig(preset);
  else if (preset === 'official' || preset === 'sam2-amg') config = resolveProposalConfig({ preset, pointsPerSide });
  else throw new ValidationError([{ path: 'pointsPerSide', code: 'custom', message: `preset ${preset} fixes its grid; give pointsPerSide with official` }], { status: 422 });
  const stages: DeviceStages = {};
  const observe = (stage: Stage, ms: number) => {
    if (isDeviceStage(stage)) stages[stage] = (stages[stage] ?? 0) + ms;
  };
  const image = await timed(observe, 'decode', () => decodeInBrowser(file));
  const imageSha256 = await timed(observe, 'sha256', () => sha256Hex(image.bytes));
  const encoded = await encodeInputs(models, await modelInputs(image, observe), observe);
  const pipelineId = pipelineIdOf(config, { noMemEmbed: models.info.sam2.noMemEmbed, maskClip: models.info.sam2.maskClip });
  const set = await candidateSet(models.sam2, { image, imageSha256, ...encoded }, config, { modelId, pipelineId }, observe);
  const bytes = encodeCandidateSet(set);
  return {
    set: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    width: set.width,
    height: set.height,
    imageSha256,
    modelId,
    pipelineId,
    count: set.candidates.length,
    stages,
  };
}

async function handle(msg: ToWorker): Promise<void> {
  if (msg.type === 'open') {
    try {
      await open(msg);
    } catch (err) {
      post({ type: 'open-failed', message: messageOf(err) });
    }
    return;
  }
  try {
    const result = await candidates(msg.file, msg.options);
    post({ type: 'result', id: msg.id, result }, [result.set]);
  } catch (err) {
    post({ type: 'error', id: msg.id, message: messageOf(err) });
  }
}

// onnxruntime-web starts its WASM threads from this same script (named em-pthread); they must not
// take the engine's messages.
if (!self.name.startsWith('em-pthread')) {
  self.addEventListener('message', (e: MessageEvent<ToWorker>) => {
    // One request at a time: the models hold one image's embeddings.
    queue = queue.then(() => handle(e.data));
  });
}
