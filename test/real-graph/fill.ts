// Refills the weightless real SAM2 graphs (test/fixtures/models/README.md) so onnxruntime can run
// them. The values are seeded and deterministic, so two fills of one file are byte-identical and
// tests can compare runs; they carry no meaning beyond giving finite outputs of the real cost.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

export const WEIGHTLESS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'models', 'sam2.1-hiera-tiny-samexporter-weightless');

const MARK = /^refseg-fill uniform bound=([0-9.eE+-]+)$/;

/** xorshift32 seeded per tensor name, so the fill of one tensor does not depend on the others. */
function seededUniform(seed: string, bound: number, count: number): Float32Array {
  let s = 2166136261;
  for (let i = 0; i < seed.length; i++) s = Math.imul(s ^ seed.charCodeAt(i), 16777619) >>> 0;
  if (s === 0) s = 1;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = ((s / 4294967296) * 2 - 1) * bound;
  }
  return out;
}

export interface FillReport {
  filled: number;
  values: number;
}

/** The model bytes with every marked initializer filled; `report` counts what was filled. */
export function fillWeightless(modelBytes: Uint8Array, report?: FillReport): Uint8Array {
  const model = onnx.ModelProto.decode(modelBytes);
  for (const t of model.graph?.initializer ?? []) {
    const m = MARK.exec(t.docString ?? '');
    if (!m) continue;
    if (t.dataType !== onnx.TensorProto.DataType.FLOAT) throw new Error(`fill: ${t.name} is not float32`);
    const count = (t.dims ?? []).reduce<number>((a, d) => a * Number(d), 1);
    const values = seededUniform(t.name ?? '', Number(m[1]), count);
    t.rawData = new Uint8Array(values.buffer);
    t.floatData = [];
    t.docString = '';
    if (report) {
      report.filled++;
      report.values += count;
    }
  }
  return onnx.ModelProto.encode(model).finish();
}

export type RealGraphFile = 'encoder.onnx' | 'decoder.onnx';

/**
 * A folder holding filled copies of both graphs, written once per process under `dir` (default:
 * the OS temp dir). Loading code is then exercised exactly as on a downloaded model folder.
 */
export function filledModelDir(dir = join(process.env.TMPDIR ?? '/tmp', `refseg-real-graph-${process.pid}`)): string {
  mkdirSync(dir, { recursive: true });
  for (const file of ['encoder.onnx', 'decoder.onnx'] as const) {
    writeFileSync(join(dir, file), fillWeightless(readFileSync(join(WEIGHTLESS_DIR, file))));
  }
  return dir;
}
