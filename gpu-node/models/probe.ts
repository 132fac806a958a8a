// Whether an execution provider really starts: a session of a one-node graph is created on it and
// run once. `refseg doctor` uses it; it runs on the calling thread, which is fine for a graph this
// small and a command that serves nothing.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import type { Provider } from './backend.ts';

const { onnx } = onnxProto;

export interface ProviderProbe {
  provider: Provider;
  loaded: boolean;
  /** First line of onnxruntime's error when it did not load. */
  error?: string;
  ms: number;
}

export interface OnnxruntimeInfo {
  version: string;
  /** Folder of the onnxruntime-node package (its native binaries live under bin/). */
  packageDir: string;
  /** Backends this onnxruntime-node build knows; `bundled: false` ones need libraries installed apart. */
  backends: { name: string; bundled: boolean }[];
}

export function onnxruntimeInfo(): OnnxruntimeInfo {
  const packageDir = dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
  return { version: ort.env.versions.node ?? 'unknown', packageDir, backends: ort.listSupportedBackends() };
}

/** y = Identity(x), x: float32 [1]. */
function probeModel(): Uint8Array {
  const float = onnx.TensorProto.DataType.FLOAT;
  const value = (name: string) => ({ name, type: { tensorType: { elemType: float, shape: { dim: [{ dimValue: 1 }] } } } });
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    producerName: 'refseg-doctor',
    graph: { name: 'probe', node: [{ opType: 'Identity', input: ['x'], output: ['y'] }], input: [value('x')], output: [value('y')] },
  }).finish();
}

export async function probeProvider(provider: Provider, deviceId = 0): Promise<ProviderProbe> {
  // ORT prints its own multi-line error for a provider that fails to load; the probe reports it once.
  ort.env.logLevel = 'fatal';
  const ep: ort.InferenceSession.ExecutionProviderConfig = provider === 'cuda' ? { name: 'cuda', deviceId } : 'cpu';
  const t0 = performance.now();
  try {
    const session = await ort.InferenceSession.create(probeModel(), { executionProviders: [ep] });
    try {
      const out = await session.run({ x: new ort.Tensor('float32', new Float32Array([7]), [1]) });
      if ((out.y.data as Float32Array)[0] !== 7) throw new Error('the probe graph returned a wrong value');
    } finally {
      await session.release();
    }
    return { provider, loaded: true, ms: performance.now() - t0 };
  } catch (err) {
    const error = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return { provider, loaded: false, error, ms: performance.now() - t0 };
  }
}
