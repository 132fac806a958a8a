import { describe, expect, it } from 'vitest';
import { encodeMask } from '../coco-mask/index.ts';
import { InternalError, WireFormatError } from '../errors.ts';
import type { Candidate, CandidateSet } from '../types.ts';
import { CANDIDATE_SET_FORMAT_VERSION, decodeCandidateSet, encodeCandidateSet, encodedCandidateSetSize } from './candidate-set.ts';
import { candidateSetFromJson, candidateSetToJson } from './candidate-set-json.ts';
import { MAX_CANDIDATES } from './limits.ts';
import { candidateSetProblem } from './validate.ts';

/** Deterministic uint32 stream (xorshift32). */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

function makeSet(seed: number, n: number, dim: number, h: number, w: number): CandidateSet {
  const next = rng(seed);
  const uniform = () => next() / 2 ** 32;
  const candidates: Candidate[] = [];
  for (let i = 0; i < n; i++) {
    const e = new Float32Array(dim);
    let sq = 0;
    for (let k = 0; k < dim; k++) {
      e[k] = uniform() * 2 - 1;
      sq += e[k] * e[k];
    }
    for (let k = 0; k < dim; k++) e[k] /= Math.sqrt(sq);
    // A random axis-aligned blob with a random hole, so counts strings have several runs.
    const mask = new Uint8Array(h * w);
    const [y0, x0] = [next() % h, next() % w];
    const [y1, x1] = [y0 + (next() % (h - y0)), x0 + (next() % (w - x0))];
    for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) mask[y * w + x] = 1;
    mask[(next() % h) * w + (next() % w)] ^= 1;
    const bx = next() % 256;
    const by = next() % 256;
    candidates.push({
      iou: Math.fround(uniform()),
      box256: [bx, by, bx + (next() % (256 - bx)), by + (next() % (256 - by))],
      embedding: e,
      mask: encodeMask(mask, h, w),
    });
  }
  const sha = Array.from({ length: 32 }, () => (next() & 255).toString(16).padStart(2, '0')).join('');
  return { imageSha256: sha, width: w, height: h, modelId: 'sam2.1-hiera-tiny+dinov2-vits14', pipelineId: 'official/v1 ünïcode', dim, candidates };
}

const small = makeSet(1, 3, 8, 7, 5);

function expectWireError(bytes: Uint8Array | ArrayBuffer, message?: RegExp): WireFormatError {
  let caught: unknown;
  try {
    decodeCandidateSet(bytes);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(WireFormatError);
  if (message) expect((caught as WireFormatError).detail).toMatch(message);
  return caught as WireFormatError;
}

function patched(bytes: Uint8Array, patch: (view: DataView, bytes: Uint8Array) => void): Uint8Array {
  const copy = bytes.slice();
  patch(new DataView(copy.buffer), copy);
  return copy;
}

/** Offset of the first candidate (header plus both length-prefixed ids). */
function firstCandidateOffset(set: CandidateSet): number {
  const enc = new TextEncoder();
  return 56 + 2 + enc.encode(set.modelId).length + 2 + enc.encode(set.pipelineId).length;
}

describe('binary candidate set', () => {
  it('round-trips float32 exactly', () => {
    const set = makeSet(2, 40, 64, 31, 47);
    const bytes = encodeCandidateSet(set);
    expect(bytes.length).toBe(encodedCandidateSetSize(set));
    const back = decodeCandidateSet(bytes);
    expect(back).toEqual(set);
    // toEqual on typed arrays compares values; check the bits too (-0, payloads).
    for (let i = 0; i < set.candidates.length; i++) {
      expect(new Uint32Array(back.candidates[i].embedding.buffer)).toEqual(new Uint32Array(set.candidates[i].embedding.buffer));
    }
    // An ArrayBuffer and an unaligned view decode the same.
    expect(decodeCandidateSet(bytes.slice().buffer)).toEqual(set);
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    expect(decodeCandidateSet(shifted.subarray(3))).toEqual(set);
  });

  it('round-trips float16 within half precision, re-normalised to unit length', () => {
    const set = makeSet(3, 40, 384, 16, 16);
    const bytes = encodeCandidateSet(set, { dtype: 'float16' });
    expect(bytes.length).toBe(encodedCandidateSetSize(set, 'float16'));
    expect(bytes[6]).toBe(2);
    const back = decodeCandidateSet(bytes);
    const { candidates: got, ...gotHeader } = back;
    const { candidates: want, ...wantHeader } = set;
    expect(gotHeader).toEqual(wantHeader);
    let worst = 0;
    for (let i = 0; i < want.length; i++) {
      expect(got[i].iou).toBe(want[i].iou);
      expect(got[i].box256).toEqual(want[i].box256);
      expect(got[i].mask).toEqual(want[i].mask);
      const a = want[i].embedding;
      const b = got[i].embedding;
      let norm = 0;
      let dot = 0;
      for (let k = 0; k < a.length; k++) {
        norm += b[k] * b[k];
        dot += a[k] * b[k];
        const bound = 2 ** -10 * Math.abs(a[k]) + 2 ** -24;
        worst = Math.max(worst, Math.abs(b[k] - a[k]) / bound);
      }
      expect(Math.abs(Math.sqrt(norm) - 1)).toBeLessThan(1e-6);
      expect(dot).toBeGreaterThan(1 - 1e-6);
    }
    expect(worst).toBeLessThanOrEqual(1);
    expect(worst).toBeGreaterThan(0); // float16 does lose something: the bound is not vacuous
  });

  it('has the documented size: 60 + ids + Σ(24 + D·s + L)', () => {
    const set = makeSet(4, 1000, 1024, 20, 30);
    const ids = new TextEncoder().encode(set.modelId).length + new TextEncoder().encode(set.pipelineId).length;
    const countsBytes = set.candidates.reduce((s, c) => s + c.mask.counts.length, 0);
    const f32 = encodeCandidateSet(set);
    const f16 = encodeCandidateSet(set, { dtype: 'float16' });
    expect(f32.length).toBe(4_120_060 + ids + countsBytes);
    expect(f16.length).toBe(2_072_060 + ids + countsBytes);
    expect(decodeCandidateSet(f32).candidates.length).toBe(1000);
    expect(decodeCandidateSet(f16).candidates.length).toBe(1000);
  });

  it('encodes an empty set', () => {
    const set = { ...small, candidates: [] };
    expect(decodeCandidateSet(encodeCandidateSet(set))).toEqual(set);
  });

  it('throws WireFormatError for every truncation of a small set', () => {
    const bytes = encodeCandidateSet(small);
    for (let len = 0; len < bytes.length; len++) expectWireError(bytes.subarray(0, len));
    for (let len = 0; len < bytes.length; len++) expectWireError(bytes.slice(0, len).buffer as ArrayBuffer);
  });

  it('rejects trailing bytes, bad magic, unknown versions, dtypes and flags', () => {
    const bytes = encodeCandidateSet(small);
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    expect(expectWireError(longer, /1 trailing bytes/).offset).toBe(bytes.length);
    expectWireError(patched(bytes, (v) => v.setUint8(0, 0x50)), /magic/);
    expectWireError(patched(bytes, (v) => v.setUint16(4, CANDIDATE_SET_FORMAT_VERSION + 1, true)), /unsupported format version 2/);
    expectWireError(patched(bytes, (v) => v.setUint16(4, 0, true)), /version 0/);
    expectWireError(patched(bytes, (v) => v.setUint8(6, 3)), /dtype code 3/);
    expectWireError(patched(bytes, (v) => v.setUint8(7, 1)), /flags/);
  });

  it('rejects absurd header values before allocating for them', () => {
    const bytes = encodeCandidateSet(small);
    expectWireError(patched(bytes, (v) => v.setUint32(40, 0, true)), /image size 0×7/);
    expectWireError(patched(bytes, (v) => v.setUint32(44, 70000, true)), /image size/);
    // Both sides within 65535, but more pixels than matching's int32 mask positions hold.
    expectWireError(patched(bytes, (v) => (v.setUint32(40, 65535, true), v.setUint32(44, 32769, true))), /more than 2147483647 pixels/);
    expectWireError(patched(bytes, (v) => v.setUint32(48, 0, true)), /dim 0/);
    expectWireError(patched(bytes, (v) => v.setUint32(48, 0xffffffff, true)), /dim 4294967295/);
    expectWireError(patched(bytes, (v) => v.setUint32(52, MAX_CANDIDATES + 1, true)), /at most 16384/);
    expectWireError(patched(bytes, (v) => v.setUint32(52, 0xffffffff, true)), /4294967295 candidates/);
    // Within the limits but more than the bytes could hold: refused from the header alone.
    const before = process.memoryUsage().arrayBuffers;
    const err = expectWireError(patched(bytes, (v) => v.setUint32(52, MAX_CANDIDATES, true)), /16384 candidates of at least 56 bytes/);
    expect(err.offset).toBe(52);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1 << 20);
    // Id lengths pointing past the end.
    expectWireError(patched(bytes, (v) => v.setUint16(56, 0xffff, true)), /truncated model id/);
    expectWireError(patched(bytes, (v) => v.setUint16(56, 0, true)));
  });

  it('rejects ids that are not UTF-8', () => {
    const bytes = encodeCandidateSet(small);
    expectWireError(patched(bytes, (_, b) => (b[58] = 0xff)), /model id is not valid UTF-8/);
  });

  it('rejects masks whose size differs from the header and malformed counts strings', () => {
    const bytes = encodeCandidateSet(small);
    const maskAt = firstCandidateOffset(small) + 12 + small.dim * 4;
    expectWireError(patched(bytes, (v) => v.setUint32(maskAt, small.height + 1, true)), /mask size \[8,5\] differs/);
    expectWireError(patched(bytes, (v) => v.setUint32(maskAt + 4, small.width - 1, true)), /differs/);
    const countsAt = maskAt + 12;
    for (const bad of ['p', '~', ' ', '\n', '/']) {
      expectWireError(patched(bytes, (_, b) => (b[countsAt] = bad.charCodeAt(0))), /counts/);
    }
    // Valid characters whose runs do not tile the 7×5 mask.
    const len = new DataView(bytes.buffer).getUint32(maskAt + 8, true);
    expectWireError(patched(bytes, (_, b) => b.fill(0x31, countsAt, countsAt + len)), /counts|runs/);
    // A counts length running past the end of the data.
    expectWireError(patched(bytes, (v) => v.setUint32(maskAt + 8, 1 << 30, true)), /truncated candidate 0 mask counts/);
  });

  it('rejects non-finite IoUs and embedding values and boxes off the 256 grid', () => {
    const bytes = encodeCandidateSet(small);
    const at = firstCandidateOffset(small);
    expectWireError(patched(bytes, (v) => v.setFloat32(at, NaN, true)), /iou NaN/);
    expectWireError(patched(bytes, (v) => v.setFloat32(at + 12 + 4 * 3, Infinity, true)), /embedding value 3 is Infinity/);
    expectWireError(patched(bytes, (v) => v.setUint16(at + 8, 256, true)), /box256/);
    expectWireError(patched(bytes, (v) => v.setUint16(at + 4, 255, true)), /box256/); // x1 > x2 unless x2 = 255
  });

  it('never throws anything but WireFormatError on 4000 seeded mutations', () => {
    const set = makeSet(5, 6, 16, 9, 11);
    const variants = [encodeCandidateSet(set), encodeCandidateSet(set, { dtype: 'float16' })];
    const next = rng(99);
    const outcomes = { decoded: 0, rejected: 0 };
    for (let t = 0; t < 4000; t++) {
      const src = variants[t % 2];
      let bytes = src.slice();
      const kind = next() % 4;
      const edits = 1 + (next() % 4);
      for (let e = 0; e < edits; e++) {
        const i = next() % bytes.length;
        if (kind === 0) bytes[i] ^= 1 << (next() % 8);
        else if (kind === 1) bytes[i] = next() & 255;
        else if (kind === 2) bytes = bytes.subarray(0, Math.max(0, bytes.length - 1 - (next() % 64)));
        else {
          const grown = new Uint8Array(bytes.length + 1);
          grown.set(bytes.subarray(0, i));
          grown[i] = next() & 255;
          grown.set(bytes.subarray(i), i + 1);
          bytes = grown;
        }
        if (bytes.length === 0) break;
      }
      try {
        const got = decodeCandidateSet(bytes);
        // Whatever decodes must be a set the encoder accepts.
        expect(candidateSetProblem(got, got.candidates)).toBeNull();
        outcomes.decoded++;
      } catch (err) {
        if (!(err instanceof WireFormatError)) throw err;
        outcomes.rejected++;
      }
    }
    expect(outcomes.decoded + outcomes.rejected).toBe(4000);
    // Flips inside embeddings decode to other (finite) values: both outcomes must occur.
    expect(outcomes.decoded).toBeGreaterThan(100);
    expect(outcomes.rejected).toBeGreaterThan(1000);
  });
});

describe('encodeCandidateSet refuses invalid sets', () => {
  const cases: [string, (s: CandidateSet) => CandidateSet, RegExp][] = [
    ['bad sha', (s) => ({ ...s, imageSha256: 'ABC' }), /imageSha256/],
    ['upper-case sha', (s) => ({ ...s, imageSha256: s.imageSha256.toUpperCase() }), /imageSha256/],
    ['empty model id', (s) => ({ ...s, modelId: '' }), /modelId/],
    ['long pipeline id', (s) => ({ ...s, pipelineId: 'é'.repeat(129) }), /258 UTF-8 bytes/],
    ['dim mismatch', (s) => ({ ...s, dim: 9 }), /candidate 0: embedding must be a Float32Array of length 9/],
    ['NaN embedding', (s) => withCandidate(s, 1, { embedding: Float32Array.from(s.candidates[1].embedding, (v, k) => (k === 2 ? NaN : v)) }), /candidate 1: embedding value 2 is NaN/],
    ['mask size', (s) => withCandidate(s, 2, { mask: { size: [5, 7], counts: s.candidates[2].mask.counts } }), /candidate 2: mask size/],
    ['box off grid', (s) => withCandidate(s, 0, { box256: [0, 0, 256, 3] }), /box256/],
    ['fractional box', (s) => withCandidate(s, 0, { box256: [0, 0, 1.5, 3] }), /box256/],
    ['zero width', (s) => ({ ...s, width: 0 }), /image size/],
    ['too many pixels', (s) => ({ ...s, width: 65535, height: 32769 }), /more than 2147483647 pixels/],
  ];
  for (const [name, spoil, message] of cases) {
    it(name, () => {
      const bad = spoil(small);
      expect(() => encodeCandidateSet(bad)).toThrow(InternalError);
      expect(() => encodeCandidateSet(bad)).toThrow(message);
      expect(() => candidateSetToJson(bad)).toThrow(message);
    });
  }
});

function withCandidate(set: CandidateSet, i: number, change: Partial<Candidate>): CandidateSet {
  return { ...set, candidates: set.candidates.map((c, k) => (k === i ? { ...c, ...change } : c)) };
}

describe('JSON candidate set', () => {
  it('round-trips through JSON text like the binary form, in both dtypes', () => {
    const set = makeSet(6, 12, 32, 13, 17);
    const f32 = JSON.parse(JSON.stringify(candidateSetToJson(set)));
    expect(f32.embeddingDtype).toBe('float32');
    expect(f32.candidates[0].embedding).toHaveLength(Math.ceil((32 * 4) / 3) * 4);
    expect(candidateSetFromJson(f32)).toEqual(set);
    const f16 = JSON.parse(JSON.stringify(candidateSetToJson(set, { dtype: 'float16' })));
    expect(candidateSetFromJson(f16)).toEqual(decodeCandidateSet(encodeCandidateSet(set, { dtype: 'float16' })));
  });

  it('throws WireFormatError naming the field', () => {
    const json = candidateSetToJson(small);
    const cases: [unknown, RegExp, string | undefined][] = [
      [{ ...json, version: 2 }, /version/, 'version'],
      [{ ...json, candidates: [{ ...json.candidates[0], embedding: json.candidates[1].embedding.slice(4) }] }, /must decode to 32 bytes/, 'candidates[0].embedding'],
      [{ ...json, candidates: [{ ...json.candidates[0], mask: { size: [1, 1], counts: '1' } }] }, /must be \[7, 5\]/, 'candidates[0].mask.size'],
      [null, /invalid candidate set JSON/, undefined],
      ['text', /invalid candidate set JSON/, undefined],
    ];
    for (const [input, message, field] of cases) {
      let caught: unknown;
      try {
        candidateSetFromJson(input);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(WireFormatError);
      expect((caught as WireFormatError).detail).toMatch(message);
      if (field) expect((caught as WireFormatError).field).toBe(field);
    }
  });

  it('rejects NaN embedding values hidden in valid base64', () => {
    const json = candidateSetToJson(small);
    const nan = new Float32Array(small.dim).fill(NaN);
    const bytes = new Uint8Array(nan.buffer);
    const embedding = btoa(String.fromCharCode(...bytes));
    expect(() => candidateSetFromJson({ ...json, candidates: [{ ...json.candidates[0], embedding }] })).toThrow(/candidate 0: embedding value 0 is NaN/);
  });
});
