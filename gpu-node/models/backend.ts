// The only module that talks to onnxruntime-node (the rest of gpu-node/models sees Session and
// Tensor through this file), so another runtime (onnxruntime-web, a CUDA binding) is a
// one-file change.
//
// onnxruntime-node runs `session.run` synchronously on the calling thread (spec/models.md §4.3);
// this module is therefore only used inside the model worker threads.
import * as ort from 'onnxruntime-node';

export type Session = ort.InferenceSession;
export type Tensor = ort.Tensor;
export type Feeds = Record<string, ort.Tensor>;

export type Provider = 'cpu' | 'cuda';

export interface SessionSettings {
  provider: Provider;
  /** Intra-op threads (0 = ORT's default: one per physical core). */
  intraOpThreads: number;
  /** Inter-op threads (only used by ORT's parallel execution mode). */
  interOpThreads: number;
  /** CUDA device when provider is `cuda`. */
  deviceId?: number;
}

export interface OpenedSession {
  session: Session;
  /** Provider actually in use. */
  provider: Provider;
  /** Why CUDA was not used, when it was asked for and failed. */
  fallbackReason?: string;
}

export interface ModelSource {
  /** File path, or the model bytes (then `externalData` must carry any `.onnx_data`). */
  model: string | Uint8Array;
  externalData?: { path: string; data: Uint8Array }[];
}

function options(s: SessionSettings, providers: ort.InferenceSession.ExecutionProviderConfig[]): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: providers,
    intraOpNumThreads: s.intraOpThreads,
    interOpNumThreads: s.interOpThreads,
    graphOptimizationLevel: 'all',
  };
}

async function create(src: ModelSource, opts: ort.InferenceSession.SessionOptions): Promise<Session> {
  const withData = src.externalData ? { ...opts, externalData: src.externalData } : opts;
  return typeof src.model === 'string'
    ? ort.InferenceSession.create(src.model, withData)
    : ort.InferenceSession.create(src.model, withData);
}

/**
 * Creates a session on the asked provider. CUDA that cannot be initialised (onnxruntime-node
 * throws when the CUDA provider libraries are absent, spec/models.md §4.1) falls back to CPU and
 * reports why; errors about the model itself are not retried.
 */
export async function openSession(src: ModelSource, s: SessionSettings): Promise<OpenedSession> {
  if (s.provider === 'cuda') {
    // ORT's process-wide logger prints its own multi-line error for a missing CUDA library
    // before throwing; the fallback below says it in one line instead. The level is fixed when
    // the first session of the thread is created, and this thread only runs models.
    ort.env.logLevel = 'fatal';
    try {
      const cuda: ort.InferenceSession.ExecutionProviderConfig = { name: 'cuda', deviceId: s.deviceId ?? 0 };
      return { session: await create(src, options(s, [cuda])), provider: 'cuda' };
    } catch (err) {
      const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
      if (!/cuda|provider|shared librar/i.test(reason)) throw err;
      return { session: await create(src, options(s, ['cpu'])), provider: 'cpu', fallbackReason: reason };
    }
  }
  return { session: await create(src, options(s, ['cpu'])), provider: 'cpu' };
}

export function floatTensor(data: Float32Array, dims: readonly number[]): Tensor {
  return new ort.Tensor('float32', data, dims);
}

export function int64Tensor(data: BigInt64Array, dims: readonly number[]): Tensor {
  return new ort.Tensor('int64', data, dims);
}

/** Declared dims of a graph input/output: numbers for fixed sizes, strings for symbolic ones. */
export type DeclaredShape = readonly (number | string)[];

export function inputShape(session: Session, name: string): DeclaredShape | undefined {
  return shapeOf(session.inputMetadata, name);
}

export function outputShape(session: Session, name: string): DeclaredShape | undefined {
  return shapeOf(session.outputMetadata, name);
}

function shapeOf(meta: readonly ort.InferenceSession.ValueMetadata[], name: string): DeclaredShape | undefined {
  const m = meta.find((v) => v.name === name);
  return m && m.isTensor ? m.shape : undefined;
}

/** The float32 contents of an output tensor. */
export function floatData(t: Tensor): Float32Array {
  if (t.type !== 'float32') throw new TypeError(`expected a float32 tensor, got ${t.type}`);
  return t.data as Float32Array;
}
