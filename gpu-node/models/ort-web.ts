// The web runtime of backend.ts: onnxruntime-web, WASM everywhere, WebGPU where the host has it.
// Used in the browser (a Web Worker), in Deno, and in Node where onnxruntime-node cannot be
// installed. WebGPU that cannot start (no adapter, a WASM-only build such as Node's) falls back to
// WASM and says why, the same way CUDA falls back on the node runtime.
import * as ort from 'onnxruntime-web';
import { firstLine, type ModelSource, type OpenedSession, type Session, type SessionSettings } from './backend.ts';
import { ModelInputError } from './errors.ts';

/** onnxruntime-web reads the WASM thread count from its process-wide env, before its first session. */
function configure(s: SessionSettings): void {
  if (s.intraOpThreads > 0) ort.env.wasm.numThreads = s.intraOpThreads;
}

/**
 * The model bytes and its external data. onnxruntime-web cannot open files itself, so a path
 * (Node, Deno; a browser hands bytes over) is read here together with every sibling data file
 * the graph names (a referenced location appears verbatim in the model bytes).
 */
async function sourceBytes(src: ModelSource): Promise<{ model: Uint8Array; externalData?: ModelSource['externalData'] }> {
  if (typeof src.model !== 'string') return { model: src.model, externalData: src.externalData };
  const [{ readFile, readdir }, { basename, dirname, join }] = await Promise.all([import('node:fs/promises'), import('node:path')]);
  const model = new Uint8Array(await readFile(src.model));
  const text = new TextDecoder('latin1').decode(model);
  const dir = dirname(src.model);
  const siblings = (await readdir(dir)).filter((f) => f !== basename(src.model as string) && /\.(onnx_data|onnx\.data|data|bin)$/.test(f) && text.includes(f));
  const externalData = [...(src.externalData ?? [])];
  for (const f of siblings) externalData.push({ path: f, data: new Uint8Array(await readFile(join(dir, f))) });
  return externalData.length > 0 ? { model, externalData } : { model };
}

async function create(src: { model: Uint8Array; externalData?: ModelSource['externalData'] }, providers: ort.InferenceSession.ExecutionProviderConfig[]): Promise<Session> {
  const opts: ort.InferenceSession.SessionOptions = { executionProviders: providers, graphOptimizationLevel: 'all' };
  return ort.InferenceSession.create(src.model, src.externalData ? { ...opts, externalData: src.externalData } : opts);
}

export async function openSession(src: ModelSource, s: SessionSettings): Promise<OpenedSession> {
  if (s.provider === 'cuda') throw new ModelInputError('the cuda provider needs the node runtime (onnxruntime-node); the web runtime offers cpu (WASM) and webgpu');
  configure(s);
  const bytes = await sourceBytes(src);
  if (s.provider === 'webgpu') {
    try {
      return { session: await create(bytes, ['webgpu']), provider: 'webgpu' };
    } catch (err) {
      return { session: await create(bytes, ['wasm']), provider: 'cpu', fallbackReason: firstLine(err) };
    }
  }
  return { session: await create(bytes, ['wasm']), provider: 'cpu' };
}
