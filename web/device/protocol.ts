// Messages between the page's engine (web/src/device/engine.ts) and the model Web Worker
// (web/device/worker.ts). Bytes cross as transferred ArrayBuffers.
import type { DeviceCandidates, DeviceCandidatesOptions, DeviceEngineInfo } from '../src/device/engine.ts';

/** One fetched file: its name in the manifest and its bytes. */
export interface FileBytes {
  name: string;
  bytes: ArrayBuffer;
}

export interface GraphBytes extends FileBytes {
  /** External data files the graph names (onnx-community `.onnx_data`). */
  data: FileBytes[];
}

export type ToWorker =
  | {
      type: 'open';
      wasm: ArrayBuffer;
      encoder: GraphBytes;
      decoder: GraphBytes;
      dino: GraphBytes;
      provider: 'wasm' | 'webgpu';
      threads: number;
    }
  | { type: 'candidates'; id: number; file: Blob; options: DeviceCandidatesOptions };

/** The engine's answer before it reaches the page: the set as a transferable buffer, no total time yet. */
export type WorkerCandidates = Omit<DeviceCandidates, 'set' | 'totalMs'> & { set: ArrayBuffer };

export type FromWorker =
  | { type: 'opened'; info: DeviceEngineInfo }
  | { type: 'open-failed'; message: string }
  | { type: 'result'; id: number; result: WorkerCandidates }
  | { type: 'error'; id: number; message: string };
