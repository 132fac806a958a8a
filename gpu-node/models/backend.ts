// The only module the rest of gpu-node/models uses to reach an ONNX runtime: Session and Tensor
// come through here, and the runtime is picked per session by `SessionSettings.runtime`:
//   node  onnxruntime-node (native CPU, CUDA): the GPU node's default (ort-node.ts)
//   web   onnxruntime-web (WASM everywhere, WebGPU where present): the browser, Deno, and any host
//         where onnxruntime-node cannot be installed (ort-web.ts)
// Each runtime module is imported only when a session of that runtime is opened, so a browser
// bundle or a Deno process never loads the native addon.
//
// Tensors are onnxruntime-common's: both runtimes read feeds by their fields (type, dims, data),
// so one tensor type serves both and the layout code stays runtime-free.
//
// onnxruntime-node runs `session.run` synchronously on the calling thread (spec/models.md §4.3),
// and onnxruntime-web's WASM does its work on the calling thread too; this module is therefore
// only used inside the model worker threads (or a browser Web Worker).
import { Tensor as OrtTensor, type InferenceSession } from 'onnxruntime-common';

export type Session = InferenceSession;
export type Tensor = OrtTensor;
export type Feeds = Record<string, Tensor>;

/** `cpu` is native CPU on the node runtime and WASM on the web runtime. */
export type Provider = 'cpu' | 'cuda' | 'webgpu';
export type Runtime = 'node' | 'web';
export const RUNTIMES: readonly Runtime[] = ['node', 'web'];

export interface SessionSettings {
  /** Default `node`. */
  runtime?: Runtime;
  /** `cuda` exists on the node runtime only, `webgpu` on the web runtime only; both fall back to `cpu`. */
  provider: Provider;
  /** Intra-op threads (0 = the runtime's default). On the web runtime: WASM threads. */
  intraOpThreads: number;
  /** Inter-op threads (only used by ORT's parallel execution mode; node runtime). */
  interOpThreads: number;
  /** CUDA device when provider is `cuda`. */
  deviceId?: number;
}

export interface OpenedSession {
  session: Session;
  /** Provider actually in use. */
  provider: Provider;
  /** Why the asked GPU provider was not used, when it was asked for and failed. */
  fallbackReason?: string;
}

export interface ModelSource {
  /** File path, or the model bytes (then `externalData` must carry any `.onnx_data`). */
  model: string | Uint8Array;
  externalData?: { path: string; data: Uint8Array }[];
}

/** What a runtime module (ort-node.ts, ort-web.ts) provides. */
export interface RuntimeModule {
  openSession(src: ModelSource, s: SessionSettings): Promise<OpenedSession>;
}

/** First line of an error's message, for one-line fallback notices. */
export function firstLine(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0] : String(err);
}

/**
 * Creates a session on the asked runtime and provider. A GPU provider that cannot be initialised
 * falls back to the CPU (WASM on the web runtime) and reports why; errors about the model itself
 * are not retried.
 */
export async function openSession(src: ModelSource, s: SessionSettings): Promise<OpenedSession> {
  const runtime: RuntimeModule = s.runtime === 'web' ? await import('./ort-web.ts') : await import('./ort-node.ts');
  return runtime.openSession(src, s);
}

export function floatTensor(data: Float32Array, dims: readonly number[]): Tensor {
  return new OrtTensor('float32', data, dims);
}

export function int64Tensor(data: BigInt64Array, dims: readonly number[]): Tensor {
  return new OrtTensor('int64', data, dims);
}

/** Declared dims of a graph input/output: numbers for fixed sizes, strings for symbolic ones. */
export type DeclaredShape = readonly (number | string)[];

export function inputShape(session: Session, name: string): DeclaredShape | undefined {
  return shapeOf(session.inputMetadata, name);
}

export function outputShape(session: Session, name: string): DeclaredShape | undefined {
  return shapeOf(session.outputMetadata, name);
}

function shapeOf(meta: readonly InferenceSession.ValueMetadata[], name: string): DeclaredShape | undefined {
  const m = meta.find((v) => v.name === name);
  return m && m.isTensor ? m.shape : undefined;
}

/** The float32 contents of an output tensor. */
export function floatData(t: Tensor): Float32Array {
  if (t.type !== 'float32') throw new TypeError(`expected a float32 tensor, got ${t.type}`);
  return t.data as Float32Array;
}
