// The node runtime of backend.ts: onnxruntime-node (native CPU, CUDA). Nothing else imports
// onnxruntime-node for inference.
import * as ort from 'onnxruntime-node';
import { firstLine, type ModelSource, type OpenedSession, type Session, type SessionSettings } from './backend.ts';
import { ModelInputError } from './errors.ts';

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

/** CUDA that cannot be initialised (the provider libraries are absent, spec/models.md §4.1) falls back to CPU. */
export async function openSession(src: ModelSource, s: SessionSettings): Promise<OpenedSession> {
  if (s.provider === 'webgpu') throw new ModelInputError('the webgpu provider needs the web runtime (onnxruntime-web); the node runtime offers cpu and cuda');
  if (s.provider === 'cuda') {
    // ORT's process-wide logger prints its own multi-line error for a missing CUDA library
    // before throwing; the fallback below says it in one line instead. The level is fixed when
    // the first session of the thread is created, and this thread only runs models.
    ort.env.logLevel = 'fatal';
    try {
      const cuda: ort.InferenceSession.ExecutionProviderConfig = { name: 'cuda', deviceId: s.deviceId ?? 0 };
      return { session: await create(src, options(s, [cuda])), provider: 'cuda' };
    } catch (err) {
      const reason = firstLine(err);
      if (!/cuda|provider|shared librar/i.test(reason)) throw err;
      return { session: await create(src, options(s, ['cpu'])), provider: 'cpu', fallbackReason: reason };
    }
  }
  return { session: await create(src, options(s, ['cpu'])), provider: 'cpu' };
}
