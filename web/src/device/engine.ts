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
  /** EXIF orientation: applied (default), as the edge does for uploads. */
  exif?: 'apply' | 'ignore';
}

/** Wall time in ms of each stage of one image (decode … extract). */
export type DeviceStages = Partial<Record<DeviceStage, number>>;
export type DeviceStage = 'decode' | 'sha256' | 'resize1024' | 'sam2-encoder' | 'resize518' | 'dinov2' | 'sam2-decoder' | 'proposal-filter' | 'extract';

export interface DeviceCandidates {
  /** The binary candidate set (shared/wire, float32 embeddings): decode it or send it as is. */
  set: Uint8Array;
  /** Image size after EXIF orientation. */
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

export async function openDeviceEngine(options: DeviceEngineOptions): Promise<DeviceEngine> {
  void options;
  throw new DeviceEngineError('not ready');
}
