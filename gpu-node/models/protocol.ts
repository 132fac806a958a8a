// Messages between the main thread and a model worker. Float data crosses as typed arrays:
// requests are structured-cloned (or shared, when on a SharedArrayBuffer), results transferred.
import type { SessionSettings } from './backend.ts';
import type { DinoInfo } from './dino-runner.ts';
import { InternalError, RefsegError } from '../../shared/errors.ts';
import { ModelFormatError, ModelInputError, NoMemEmbedNotFoundError } from './errors.ts';
import type { BestMasks } from './compact-masks.ts';
import type { Decoded, Sam2Files, Sam2Info, Sam2Options } from './sam2-runner.ts';

export interface WorkerConfig {
  sam2: Sam2Files;
  dino: string;
  settings: SessionSettings;
  sam2Options: Sam2Options;
}

/**
 * SAM2 image embeddings, kept on a SharedArrayBuffer so any worker can read them without a copy.
 * `key` lets the worker that made them reuse its own copy. Treat as immutable.
 */
export interface Sam2Embeddings {
  key: string;
  /** [1,32,256,256], [1,64,128,128], [1,256,64,64]. */
  levels: readonly [Float32Array, Float32Array, Float32Array];
}

export function embeddingsKey(threadId: number, serial: number): string {
  return `${threadId}:${serial}`;
}

export function threadOfKey(key: string): number {
  return Number(key.split(':')[0]);
}

export type Request =
  | { op: 'encode'; pixels: Float32Array }
  | { op: 'decodePoints'; emb: Sam2Embeddings; points: Float32Array; labels: Int32Array }
  | { op: 'decodePrompt'; emb: Sam2Embeddings; points: Float32Array; labels: Int32Array }
  | { op: 'decodeBoxes'; emb: Sam2Embeddings; boxes: Float32Array }
  | { op: 'proposePoints'; emb: Sam2Embeddings; points: Float32Array; iouThreshold: number; size: { height: number; width: number }; features: Float32Array }
  | { op: 'patchFeatures'; pixels: Float32Array };

export interface ResultOf {
  encode: Sam2Embeddings;
  decodePoints: Decoded;
  decodePrompt: Decoded;
  decodeBoxes: Decoded;
  proposePoints: BestMasks;
  patchFeatures: Float32Array;
}

export interface WorkerInfo {
  sam2: Sam2Info;
  dino: DinoInfo;
}

export interface SerializedError {
  name: string;
  message: string;
}

export type WorkerMessage =
  | { type: 'ready'; info: WorkerInfo }
  | { type: 'failed'; error: SerializedError }
  | { type: 'result'; id: number; result: ResultOf[keyof ResultOf] }
  | { type: 'error'; id: number; error: SerializedError };

export function serializeError(err: unknown): SerializedError {
  if (err instanceof Error) return { name: err.name, message: err instanceof RefsegError ? err.detail : err.message };
  return { name: 'Error', message: String(err) };
}

const KNOWN: Record<string, new (detail: string) => RefsegError> = {
  ModelFormatError,
  NoMemEmbedNotFoundError,
  ModelInputError,
};

/** The typed error again on the main thread (class identity does not survive postMessage). */
export function reviveError(e: SerializedError): RefsegError {
  const Known = KNOWN[e.name];
  return Known ? new Known(e.message) : new InternalError(`model worker: ${e.name}: ${e.message}`);
}
