// Loader for the golden fixture format (test/fixtures/golden/FORMAT.md, §1–§2).
// The root comes from REFSEG_GOLDEN_DIR so that any directory in the same format can be
// checked with the same runners; by default it is the copy kept in this repository.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, it } from 'vitest';

export type Dtype = 'uint8' | 'int8' | 'int32' | 'float32' | 'float64';
export type TypedArrayOf<D extends Dtype> = D extends 'uint8'
  ? Uint8Array
  : D extends 'int8'
    ? Int8Array
    : D extends 'int32'
      ? Int32Array
      : D extends 'float32'
        ? Float32Array
        : Float64Array;

/** A decoded fixture array: flat C-order data plus its shape. */
export interface NdArray {
  dtype: Dtype;
  shape: number[];
  data: Uint8Array | Int8Array | Int32Array | Float32Array | Float64Array;
}

const DEFAULT_ROOT = resolve(import.meta.dirname, '../fixtures/golden');

export function goldenRoot(): string {
  const fromEnv = process.env.REFSEG_GOLDEN_DIR;
  return fromEnv && fromEnv.length > 0 ? resolve(fromEnv) : DEFAULT_ROOT;
}

const CASE_FILE = /^[0-9]{3}_.*\.json$/;

export function listCases(family: string, root = goldenRoot()): string[] | null {
  const dir = join(root, family);
  if (!existsSync(dir)) return null;
  return readdirSync(dir)
    .filter((f) => CASE_FILE.test(f))
    .sort();
}

function isArraySpec(v: unknown): v is { dtype: Dtype; shape: number[]; file?: string; data?: number[] } {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  return typeof o.dtype === 'string' && Array.isArray(o.shape) && ('file' in o || 'data' in o);
}

function typedFromBytes(dtype: Dtype, bytes: Uint8Array): NdArray['data'] {
  // Copy into a fresh, aligned buffer: gunzip output offsets are not guaranteed aligned.
  const buf = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(buf).set(bytes);
  switch (dtype) {
    case 'uint8':
      return new Uint8Array(buf);
    case 'int8':
      return new Int8Array(buf);
    case 'int32':
      return new Int32Array(buf);
    case 'float32':
      return new Float32Array(buf);
    case 'float64':
      return new Float64Array(buf);
    default:
      throw new Error(`unknown dtype ${String(dtype)}`);
  }
}

function typedFromList(dtype: Dtype, list: (number | null)[]): NdArray['data'] {
  const values = list.map((x) => (x === null ? Number.NaN : x));
  switch (dtype) {
    case 'uint8':
      return Uint8Array.from(values);
    case 'int8':
      return Int8Array.from(values);
    case 'int32':
      return Int32Array.from(values);
    case 'float32':
      return Float32Array.from(values);
    case 'float64':
      return Float64Array.from(values);
    default:
      throw new Error(`unknown dtype ${String(dtype)}`);
  }
}

function loadArray(dir: string, spec: { dtype: Dtype; shape: number[]; file?: string; data?: (number | null)[] }): NdArray {
  const count = spec.shape.reduce((a, b) => a * b, 1);
  let data: NdArray['data'];
  if (spec.file !== undefined) {
    const raw = readFileSync(join(dir, spec.file));
    data = typedFromBytes(spec.dtype, spec.file.endsWith('.gz') ? gunzipSync(raw) : raw);
  } else {
    data = typedFromList(spec.dtype, spec.data ?? []);
  }
  if (data.length !== count) {
    throw new Error(`array ${spec.file ?? '(inline)'}: ${data.length} elements, shape ${JSON.stringify(spec.shape)} needs ${count}`);
  }
  return { dtype: spec.dtype, shape: spec.shape, data };
}

function resolveArrays(dir: string, v: unknown): unknown {
  if (isArraySpec(v)) return loadArray(dir, v);
  if (Array.isArray(v)) return v.map((x) => resolveArrays(dir, x));
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = resolveArrays(dir, x);
    return out;
  }
  return v;
}

/** A parsed case; every array object is replaced by an NdArray. Shape checks are the runner's job. */
export interface GoldenCase {
  family: string;
  description: string;
  producer: string;
  input: any;
  expected: any;
  params?: any;
  notes?: any;
  tolerance?: any;
  [k: string]: any;
}

export interface LoadOptions {
  /** Keep integers beyond 2^53 exact as bigint (seeds and getrandbits(64) values of sampling/). */
  exactIntegers?: boolean;
}

const BIGINT_MARK = '\u0000bigint:';

/** JSON.parse that turns integer literals beyond 2^53 into bigint instead of rounding them. */
export function parseJsonExact(text: string): unknown {
  const marked = text.replace(/"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g, (tok) => {
    if (tok.startsWith('"') || /[.eE]/.test(tok) || Number.isSafeInteger(Number(tok))) return tok;
    return JSON.stringify(BIGINT_MARK + tok);
  });
  return JSON.parse(marked, (_k, v: unknown) =>
    typeof v === 'string' && v.startsWith(BIGINT_MARK) ? BigInt(v.slice(BIGINT_MARK.length)) : v,
  );
}

/** Reads a file of a family folder that is not a case (e.g. sampling's shared input), gunzipped when `.gz`. */
export function readFamilyFile(family: string, name: string, root = goldenRoot()): string {
  const raw = readFileSync(join(root, family, name));
  return new TextDecoder().decode(name.endsWith('.gz') ? gunzipSync(raw) : raw);
}

export function loadCase(family: string, file: string, root = goldenRoot(), opts: LoadOptions = {}): GoldenCase {
  const dir = join(root, family);
  const text = readFileSync(join(dir, file), 'utf8');
  const json = opts.exactIntegers ? parseJsonExact(text) : (JSON.parse(text) as unknown);
  if (typeof json !== 'object' || json === null || !('expected' in json)) {
    throw new Error(`${family}/${file}: not a fixture case (no expected member)`);
  }
  return resolveArrays(dir, json) as GoldenCase;
}

/**
 * Registers one vitest test per case of a family. An absent family directory is skipped with a
 * printed line; a case that cannot be read or parsed fails its test.
 */
export function describeGolden(
  family: string,
  run: (c: GoldenCase, file: string) => void | Promise<void>,
  opts: LoadOptions = {},
): void {
  const root = goldenRoot();
  const files = listCases(family, root);
  if (files === null) {
    console.log(`golden: family '${family}' absent under ${root}, skipped`);
    describe.skip(`golden ${family} (absent)`, () => {});
    return;
  }
  describe(`golden ${family} (${root})`, () => {
    if (files.length === 0) it.skip('no cases', () => {});
    for (const file of files) {
      it(file, async () => {
        await run(loadCase(family, file, root, opts), file);
      });
    }
  });
}

/** Asserts two float sequences agree within abs tolerance; NaN must match NaN. */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: number,
  what: string,
): void {
  if (actual.length !== expected.length) {
    throw new Error(`${what}: length ${actual.length} != expected ${expected.length}`);
  }
  let worst = 0;
  let worstAt = -1;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e) || Number.isNaN(a)) {
      if (!(Number.isNaN(e) && Number.isNaN(a))) throw new Error(`${what}[${i}]: ${a} vs expected ${e}`);
      continue;
    }
    const d = Math.abs(a - e);
    if (d > worst) {
      worst = d;
      worstAt = i;
    }
  }
  if (worst > tol) {
    throw new Error(`${what}: max abs diff ${worst} at ${worstAt} (${actual[worstAt]} vs ${expected[worstAt]}) > ${tol}`);
  }
}
