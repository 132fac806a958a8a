// The on-device engine as the page sees it: the candidate set of an image, made in a Web Worker on
// onnxruntime-web, so the image never leaves the browser. Import this module lazily
// (`await import('./device/engine.ts')`): it is its own chunk, and the worker with onnxruntime-web
// is a separate asset fetched only when an engine is opened.
//
//   const engine = await openDeviceEngine({ modelsUrl: `${API_BASE}/device/models/`, onProgress });
//   const { set, width, height, stages } = await engine.candidates(file, { preset: 'official', pointsPerSide: 16 });
//   decodeCandidateSet(set) (shared/wire) → matchCandidates(…) (shared/matching), or POST it to
//   /v1/banks/{bankId}/segment-candidates.
//   engine.close();
import type { ProposalPreset } from '../../../shared/schemas.ts';
import type { DeviceBuildInfo } from '../../build.ts';
import type { FromWorker, GraphBytes, ToWorker, WorkerCandidates } from '../../device/protocol.ts';
import { fetchCached } from './fetch-cached.ts';
import type { Fetched } from './fetch-cached.ts';
import { parseManifest } from './manifest.ts';
import type { ManifestFile, ManifestGraph } from './manifest.ts';

/** Set by web/build.ts (esbuild define); absent when this module is bundled some other way. */
declare const __REFSEG_DEVICE__: DeviceBuildInfo | undefined;

/** What is being fetched: onnxruntime-web's WASM binary, or one model file. */
export interface DeviceProgress {
  kind: 'runtime' | 'model';
  /** File name (e.g. `ort-wasm-simd-threaded.wasm`, `sam2_hiera_tiny.encoder.onnx`). */
  file: string;
  /** Bytes received so far (all of them at once when the file came from the browser's cache). */
  loaded: number;
  /** Expected bytes; null when the server did not say. */
  total: number | null;
  /** The file came from Cache Storage: nothing was downloaded. */
  cached: boolean;
  /** Every file of the engine: bytes so far and expected, for one overall progress bar. */
  overall: { loaded: number; total: number | null };
}

export interface DeviceEngineOptions {
  /**
   * Folder holding `manifest.json` and the model files it names (the edge serves one at
   * `<edge>/device/models/` when REFSEG_DEVICE_MODELS_DIR is set; any static host works).
   */
  modelsUrl: string;
  /**
   * Folder holding onnxruntime-web's `ort-wasm-simd-threaded.{mjs,wasm}` (a Node edge serves
   * them at `<edge>/device/ort/`; on Workers, set REFSEG_DEVICE_WASM_URL / pass a CDN folder).
   * Default: `device/ort/` beside the page.
   */
  wasmUrl?: string;
  /** Called while the runtime and the models are fetched (or read from the cache). */
  onProgress?: (p: DeviceProgress) => void;
  /** `webgpu` is tried when the browser has it; it falls back to WASM with a message. Default `wasm`. */
  provider?: 'wasm' | 'webgpu';
  /** WASM threads; used only when the page is cross-origin isolated. Default: hardware threads, at most 4. */
  threads?: number;
  /** Aborts the download and opening. */
  signal?: AbortSignal;
}

export interface DeviceCandidatesOptions {
  /** `official` (the paper's pipeline) or `sam2-amg`. */
  preset: ProposalPreset;
  /**
   * Grid side (default 32, the paper's). Fewer prompts are much faster on a device but depart
   * from the paper's grid; the set's pipelineId records the choice (see DEVICE_GRIDS).
   */
  pointsPerSide?: number;
}

/** Wall time in ms of each stage of one image (decode … extract). */
export type DeviceStages = Partial<Record<DeviceStage, number>>;
export type DeviceStage = 'decode' | 'sha256' | 'resize1024' | 'sam2-encoder' | 'resize518' | 'dinov2' | 'sam2-decoder' | 'proposal-filter' | 'extract';

export interface DeviceCandidates {
  /** The binary candidate set (shared/wire, float32 embeddings): decode it or send it as is. */
  set: Uint8Array;
  /** Image size after EXIF orientation (always applied, as the edge does for uploads). */
  width: number;
  height: number;
  imageSha256: string;
  modelId: string;
  pipelineId: string;
  /** Candidates in the set. */
  count: number;
  stages: DeviceStages;
  /** Wall time of the whole call, ms. */
  totalMs: number;
}

export interface DeviceEngineInfo {
  modelId: string;
  /** Provider in use (`wasm` also when `webgpu` was asked for and could not start). */
  provider: 'wasm' | 'webgpu';
  /** Why WebGPU was not used, when it was asked for. */
  fallbackReason?: string;
  /** WASM threads in use (1 unless the page is cross-origin isolated). */
  threads: number;
  /** Embedding dimension D. */
  dim: number;
  /** The models are the project's stand-ins: results mean nothing on real photos. */
  standin: boolean;
  /** Time to open the sessions (patching included), ms. */
  openMs: number;
}

export interface DeviceEngine {
  readonly info: DeviceEngineInfo;
  /** One image at a time; a second call waits for the first. */
  candidates(file: Blob, opts: DeviceCandidatesOptions): Promise<DeviceCandidates>;
  /** Ends the worker; pending calls reject. */
  close(): void;
}

/** Grid sides offered for on-device use: 32 is the paper's; 16 and 8 depart from it. */
export const DEVICE_GRIDS: readonly { pointsPerSide: number; label: string; paper: boolean }[] = [
  { pointsPerSide: 8, label: 'fast: 8×8 prompts (departs from the paper)', paper: false },
  { pointsPerSide: 16, label: 'balanced: 16×16 prompts (departs from the paper)', paper: false },
  { pointsPerSide: 32, label: "paper: 32×32 prompts (the paper's grid)", paper: true },
];

/** Thrown for every engine failure; `message` is shown to the user as is. */
export class DeviceEngineError extends Error {
  override readonly name = 'DeviceEngineError';
}

function buildInfo(): DeviceBuildInfo {
  if (typeof __REFSEG_DEVICE__ === 'undefined') throw new DeviceEngineError('this page was built without the on-device worker (web/build.ts builds it)');
  return __REFSEG_DEVICE__;
}

const folder = (url: string) => (url.endsWith('/') ? url : `${url}/`);

export async function openDeviceEngine(options: DeviceEngineOptions): Promise<DeviceEngine> {
  const build = buildInfo();
  const webgpu = options.provider === 'webgpu' && 'gpu' in navigator;
  const kind = webgpu ? 'webgpu' : 'wasm';
  const base = typeof document === 'undefined' ? location.href : document.baseURI;
  const modelsUrl = new URL(folder(options.modelsUrl), base).href;
  const wasmUrl = new URL(folder(options.wasmUrl ?? 'device/ort/'), base).href;
  const signal = options.signal;

  const manifestRes = await fetch(new URL('manifest.json', modelsUrl), { signal, cache: 'no-cache' }).catch((err: unknown) => {
    throw new DeviceEngineError(`the model list ${modelsUrl}manifest.json cannot be fetched: ${err instanceof Error ? err.message : String(err)}`);
  });
  if (!manifestRes.ok) throw new DeviceEngineError(`the model list ${modelsUrl}manifest.json answered ${manifestRes.status}: is on-device mode set up on this server (docs/on-device.md)?`);
  const manifest = parseManifest(await manifestRes.text());

  // Everything this engine fetches, for one overall progress figure.
  const runtimeFile: ManifestFile = { file: build.binaries[kind], bytes: null, sha256: null };
  const graphs = [manifest.encoder, manifest.decoder, manifest.dino];
  const files: { url: string; spec: ManifestFile; kind: 'runtime' | 'model' }[] = [
    { url: `${wasmUrl}${runtimeFile.file}?v=${build.ortVersion}`, spec: runtimeFile, kind: 'runtime' },
    ...graphs.flatMap((g) => [g, ...g.data].map((spec) => ({ url: `${modelsUrl}${spec.file}`, spec, kind: 'model' as const }))),
  ];
  const loaded = new Map<string, number>();
  const sizes = new Map(files.map((f) => [f.url, f.spec.bytes]));
  const overallTotal = () => ([...sizes.values()].every((b) => b !== null) ? [...sizes.values()].reduce((a, b) => a! + b!, 0)! : null);
  const fetched = new Map<string, Fetched>();
  // One file at a time: a phone's memory holds the bytes once, and progress reads in order.
  for (const f of files) {
    const got = await fetchCached(f.url, f.spec, signal, (done, fileTotal, cached) => {
      loaded.set(f.url, done);
      if (fileTotal !== null) sizes.set(f.url, fileTotal);
      const sum = [...loaded.values()].reduce((a, b) => a + b, 0);
      options.onProgress?.({ kind: f.kind, file: f.spec.file, loaded: done, total: fileTotal, cached, overall: { loaded: sum, total: overallTotal() } });
    }).catch((err: unknown) => {
      if (signal?.aborted) throw new DeviceEngineError('opening the on-device engine was cancelled');
      throw new DeviceEngineError(err instanceof Error ? err.message : String(err));
    });
    fetched.set(f.url, got);
  }
  const bytesOf = (spec: ManifestFile) => fetched.get(`${modelsUrl}${spec.file}`)!.bytes;
  const graph = (g: ManifestGraph): GraphBytes => ({ name: g.file, bytes: bytesOf(g), data: g.data.map((d) => ({ name: d.file, bytes: bytesOf(d) })) });

  const worker = new Worker(new URL(build.workers[kind], import.meta.url), { type: 'module', name: 'refseg-device' });
  const pending = new Map<number, { resolve(r: WorkerCandidates): void; reject(e: Error): void }>();
  let closed: Error | null = null;
  const fail = (err: Error) => {
    closed ??= err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  const info = await new Promise<DeviceEngineInfo>((resolve, reject) => {
    const onAbort = () => {
      worker.terminate();
      reject(new DeviceEngineError('opening the on-device engine was cancelled'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.addEventListener('error', (e) => {
      const err = new DeviceEngineError(`the on-device worker failed: ${e.message || 'it could not start'}`);
      fail(err);
      reject(err);
    });
    worker.addEventListener('message', (e: MessageEvent<FromWorker>) => {
      const msg = e.data;
      if (msg.type === 'opened') {
        signal?.removeEventListener('abort', onAbort);
        resolve(msg.info);
      } else if (msg.type === 'open-failed') {
        worker.terminate();
        reject(new DeviceEngineError(`the models could not be opened: ${msg.message}`));
      } else {
        const p = pending.get(msg.id);
        pending.delete(msg.id);
        if (msg.type === 'result') p?.resolve(msg.result);
        else p?.reject(new DeviceEngineError(msg.message));
      }
    });
    const open: ToWorker = {
      type: 'open',
      wasm: fetched.get(files[0].url)!.bytes,
      encoder: graph(manifest.encoder),
      decoder: graph(manifest.decoder),
      dino: graph(manifest.dino),
      provider: webgpu ? 'webgpu' : 'wasm',
      threads: options.threads ?? Math.min(4, navigator.hardwareConcurrency || 1),
    };
    // The bytes move to the worker: the page keeps no copy of the models.
    worker.postMessage(open, [open.wasm, ...[open.encoder, open.decoder, open.dino].flatMap((g) => [g.bytes, ...g.data.map((d) => d.bytes)])]);
  });
  const reported: DeviceEngineInfo =
    options.provider === 'webgpu' && !webgpu ? { ...info, fallbackReason: info.fallbackReason ?? 'this browser has no WebGPU (navigator.gpu)' } : info;

  let serial = 0;
  return {
    info: reported,
    async candidates(file, opts) {
      if (closed) throw closed;
      const t0 = performance.now();
      const id = ++serial;
      const result = await new Promise<WorkerCandidates>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ type: 'candidates', id, file, options: opts } satisfies ToWorker);
      });
      return { ...result, set: new Uint8Array(result.set), totalMs: performance.now() - t0 };
    },
    close() {
      worker.terminate();
      fail(new DeviceEngineError('the on-device engine is closed'));
    },
  };
}
