// The on-device mode's work, in a chunk of its own that the page fetches on the first switch to
// "on this device" (web/build.ts splits it off): what the download will cost, opening the engine
// (web/src/device/engine.ts: models and onnxruntime-web in a Web Worker), and one image through
// it, matched here or sent as a candidate set to POST /v1/banks/{id}/segment-candidates.
import type { RefsegClient, SegmentOptionsInput } from '../../../shared/client/index.ts';
import { DEVICE_GRIDS, openDeviceEngine } from './engine.ts';
import type { DeviceCandidates, DeviceEngineInfo, DeviceProgress } from './engine.ts';
import { matchLocally } from './local-match.ts';
import { parseManifest } from './manifest.ts';
import type { DeviceModelsManifest } from './manifest.ts';
import type { DeviceBuildInfo } from '../../build.ts';
import type { DeviceSettings, PageResult } from './settings.ts';

export { DEVICE_GRIDS };
export type { DeviceEngineInfo, DeviceProgress };

/** Where the engine's files are served: absolute folder URLs ending in `/`. */
export interface DeviceUrls {
  modelsUrl: string;
  wasmUrl: string;
}

const folder = (url: string, base: string) => {
  const u = new URL(url, `${base}/`).href;
  return u.endsWith('/') ? u : `${u}/`;
};

/** GET /device/config: the edge says where its models and onnxruntime-web's WASM are (relative to the page, or a configured URL). */
export async function deviceUrls(base: string, signal?: AbortSignal): Promise<DeviceUrls> {
  const res = await fetch(`${base}/device/config`, { signal, headers: { Accept: 'application/json' } });
  if (!res.ok) {
    await res.body?.cancel();
    throw new DeviceUnavailableError(`This refseg does not offer on-device mode (GET /device/config answered ${res.status}).`);
  }
  const config = (await res.json()) as { modelsUrl?: unknown; wasmUrl?: unknown };
  if (typeof config.modelsUrl !== 'string' || typeof config.wasmUrl !== 'string') {
    throw new DeviceUnavailableError(
      config.modelsUrl === null
        ? 'This refseg offers no models for on-device use: its operator can serve them (REFSEG_DEVICE_MODELS_DIR or REFSEG_DEVICE_MODELS_URL, docs/on-device.md).'
        : "This refseg does not say where onnxruntime-web's WASM is (REFSEG_DEVICE_WASM_URL, docs/on-device.md).",
    );
  }
  return { modelsUrl: folder(config.modelsUrl, base), wasmUrl: folder(config.wasmUrl, base) };
}

/** Set by web/build.ts (esbuild define), as for engine.ts: the onnxruntime-web binary of each worker. */
declare const __REFSEG_DEVICE__: DeviceBuildInfo | undefined;

/**
 * WebGPU where the browser gives an adapter (the engine still falls back to WASM and says why if
 * its session cannot start), else WASM: a browser exposing navigator.gpu without a usable GPU
 * (headless, blocklisted drivers) would otherwise fetch the larger WebGPU build for nothing.
 */
let chosen: Promise<'wasm' | 'webgpu'> | null = null;
const provider = (): Promise<'wasm' | 'webgpu'> =>
  (chosen ??= (async () => {
    const gpu = (navigator as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
    if (!gpu) return 'wasm';
    return (await gpu.requestAdapter().catch(() => null)) ? 'webgpu' : 'wasm';
  })());

export interface DownloadEstimate {
  files: { name: string; bytes: number | null }[];
  /** Sum of the known sizes. */
  knownBytes: number;
  /** Files whose size the server did not tell. */
  unknown: number;
}

/** Thrown when this edge offers no on-device models; the message is for people. */
export class DeviceUnavailableError extends Error {
  override readonly name = 'DeviceUnavailableError';
}

async function contentLength(url: string, signal?: AbortSignal): Promise<number | null> {
  const res = await fetch(url, { method: 'HEAD', signal });
  if (!res.ok) return null;
  const n = Number(res.headers.get('content-length'));
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

/** Names and sizes of what the first use downloads: the model files of the manifest and the WASM runtime. */
export async function estimateDownload(urls: DeviceUrls, signal?: AbortSignal): Promise<DownloadEstimate> {
  const res = await fetch(`${urls.modelsUrl}manifest.json`, { signal, headers: { Accept: 'application/json' } });
  if (!res.ok) {
    await res.body?.cancel();
    throw new DeviceUnavailableError(`The on-device model list cannot be fetched (${urls.modelsUrl}manifest.json answered ${res.status}).`);
  }
  let manifest: DeviceModelsManifest;
  try {
    manifest = parseManifest(await res.text());
  } catch (err) {
    throw new DeviceUnavailableError(err instanceof Error ? err.message : String(err));
  }
  const listed = [manifest.encoder, manifest.decoder, manifest.dino].flatMap((g) => [g, ...g.data]);
  // A file the list gives no size of is asked for its Content-Length (HEAD, no body).
  const files = await Promise.all(listed.map(async (f) => ({ name: f.file, bytes: f.bytes ?? (await contentLength(`${urls.modelsUrl}${f.file}`, signal)) })));
  if (__REFSEG_DEVICE__) {
    const binary = __REFSEG_DEVICE__.binaries[await provider()];
    files.unshift({ name: binary, bytes: await contentLength(`${urls.wasmUrl}${binary}?v=${__REFSEG_DEVICE__.ortVersion}`, signal) });
  }
  return { files, knownBytes: files.reduce((t, f) => t + (f.bytes ?? 0), 0), unknown: files.filter((f) => f.bytes === null).length };
}

export interface DeviceRunner {
  readonly info: DeviceEngineInfo;
  /** One image: candidates made here, then matched here or at the edge as `settings.send` says. */
  segment(client: RefsegClient, bankId: string, file: Blob, settings: DeviceSettings, options: SegmentOptionsInput, signal: AbortSignal): Promise<PageResult>;
  close(): void;
}

/** Rejects when the signal aborts; the engine finishes its image meanwhile (it cannot be interrupted). */
function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const stop = () => reject(signal.reason);
    signal.addEventListener('abort', stop, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', stop));
  });
}

/** The edge's 409 for a set of a pipeline its gpu-nodes do not run (an error of the page's bundle: told by shape). */
const pipelineRefused = (err: unknown) => {
  const e = err as { status?: unknown; problem?: { type?: unknown } } | null;
  return e?.status === 409 && typeof e.problem?.type === 'string' && e.problem.type.endsWith('/pipeline-mismatch');
};

const refusedGrid = (grid: number, requestId: string | undefined) =>
  `The server matches only candidate sets of the grids its gpu-nodes run, and ${grid}×${grid} is not one of them. ` +
  `Choose the paper's 32×32 grid, or "Nothing: the image never leaves" to match on this device.${requestId ? ` (request ${requestId})` : ''}`;

export async function openDevice(urls: DeviceUrls, onProgress: (p: DeviceProgress) => void, signal: AbortSignal): Promise<DeviceRunner> {
  const engine = await openDeviceEngine({ ...urls, onProgress, signal, provider: await provider() });
  // A retried request (busy edge, 429/503) sends the set already made for that image and grid.
  const made = new WeakMap<Blob, { grid: number; candidates: DeviceCandidates }>();
  return {
    info: engine.info,
    async segment(client, bankId, file, settings, options, signal) {
      let candidates = made.get(file)?.grid === settings.grid ? made.get(file)!.candidates : null;
      if (!candidates) {
        candidates = await abortable(engine.candidates(file, { preset: 'official', pointsPerSide: settings.grid }), signal);
        made.set(file, { grid: settings.grid, candidates });
      }
      const result: PageResult =
        settings.send === 'candidates'
          ? await client.segmentCandidates(bankId, candidates.set, options, { signal }).catch((err: unknown) => {
              throw pipelineRefused(err) ? new Error(refusedGrid(settings.grid, (err as { requestId?: string }).requestId)) : err;
            })
          : await matchLocally(client, bankId, candidates.set, options, signal);
      return { ...result, onDevice: { send: settings.send, grid: settings.grid, candidates: candidates.count, deviceMs: candidates.totalMs, stages: { ...candidates.stages } } };
    },
    close: () => engine.close(),
  };
}
