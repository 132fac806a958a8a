// Binary candidate set: what the gpu-node sends the edge and what the edge caches.
//
// Layout, version 1, all integers little-endian:
//
//   offset  size  field
//        0     4  magic "RFCS"
//        4     2  format version (1)
//        6     1  embedding dtype: 1 = float32, 2 = float16
//        7     1  flags, must be 0 (reserved)
//        8    32  image SHA-256, raw
//       40     4  width (u32)
//       44     4  height (u32)
//       48     4  embedding dim D (u32)
//       52     4  candidate count n (u32)
//       56   2+a  model id: u16 byte length a, UTF-8
//        .   2+b  pipeline id: u16 byte length b, UTF-8
//   then n times:
//              4  predicted IoU (f32)
//              8  box256 x1, y1, x2, y2 (u16 each)
//         D·4|2  embedding (f32 or f16)
//              8  mask height, width (u32 each; must equal the header's)
//            4+L  RLE counts: u32 byte length L, ASCII
//
// Size = 60 + a + b + Σ(24 + D·s + L_i) with s = 4 (float32) or 2 (float16); for n = 1000,
// D = 1024 that is 4,120,060 + a + b + ΣL bytes in float32 and 2,072,060 + a + b + ΣL in float16.
//
// The decoder trusts nothing: every length is checked against the bytes that remain before
// anything is read or allocated, and any inconsistency throws WireFormatError.
import { InternalError, WireFormatError } from '../errors.ts';
import { bytesToHex, hexToBytes } from '../encoding/hex.ts';
import type { Candidate, CandidateSet } from '../types.ts';
import { bytesPerValue, readEmbedding, writeEmbedding } from './embedding.ts';
import type { EmbeddingDtype } from './limits.ts';
import { candidateProblem, candidateSetProblem, headerProblem } from './validate.ts';
import type { CandidateSetHeader } from './validate.ts';

export const CANDIDATE_SET_MEDIA_TYPE = 'application/vnd.refseg.candidate-set';
export const CANDIDATE_SET_FORMAT_VERSION = 1;

const MAGIC = [0x52, 0x46, 0x43, 0x53]; // "RFCS"
const FIXED_HEADER_BYTES = 56;
/** IoU + box256 + mask height/width + counts length: everything but the embedding and counts. */
const FIXED_CANDIDATE_BYTES = 4 + 8 + 8 + 4;
const DTYPE_CODES: Record<EmbeddingDtype, number> = { float32: 1, float16: 2 };
const DTYPE_BY_CODE: Record<number, EmbeddingDtype | undefined> = { 1: 'float32', 2: 'float16' };

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
// Counts are ASCII; other bytes decode to U+FFFD, which the counts check then rejects.
const lenientUtf8 = new TextDecoder();

export interface EncodeCandidateSetOptions {
  /** Element type of the embeddings on the wire (default float32, which round-trips exactly). */
  dtype?: EmbeddingDtype;
}

/** Exact byte length of `encodeCandidateSet(set, { dtype })`. */
export function encodedCandidateSetSize(set: CandidateSet, dtype: EmbeddingDtype = 'float32'): number {
  let size = FIXED_HEADER_BYTES + 4 + utf8.encode(set.modelId).length + utf8.encode(set.pipelineId).length;
  const perCandidate = FIXED_CANDIDATE_BYTES + set.dim * bytesPerValue(dtype);
  for (const c of set.candidates) size += perCandidate + c.mask.counts.length;
  return size;
}

/** A set that breaks the format's rules is a bug of its producer: InternalError. */
export function encodeCandidateSet(set: CandidateSet, options: EncodeCandidateSetOptions = {}): Uint8Array {
  const dtype = options.dtype ?? 'float32';
  const problem = candidateSetProblem(set, set.candidates);
  if (problem) throw new InternalError(`Cannot encode candidate set: ${problem}.`);

  const out = new Uint8Array(encodedCandidateSetSize(set, dtype));
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint16(4, CANDIDATE_SET_FORMAT_VERSION, true);
  view.setUint8(6, DTYPE_CODES[dtype]);
  view.setUint8(7, 0);
  out.set(hexToBytes(set.imageSha256), 8);
  view.setUint32(40, set.width, true);
  view.setUint32(44, set.height, true);
  view.setUint32(48, set.dim, true);
  view.setUint32(52, set.candidates.length, true);
  let pos = FIXED_HEADER_BYTES;
  for (const id of [set.modelId, set.pipelineId]) {
    const bytes = utf8.encode(id);
    view.setUint16(pos, bytes.length, true);
    out.set(bytes, pos + 2);
    pos += 2 + bytes.length;
  }
  const embeddingBytes = set.dim * bytesPerValue(dtype);
  for (const c of set.candidates) {
    view.setFloat32(pos, c.iou, true);
    for (let k = 0; k < 4; k++) view.setUint16(pos + 4 + 2 * k, c.box256[k], true);
    pos += 12;
    writeEmbedding(c.embedding, dtype, out, pos);
    pos += embeddingBytes;
    view.setUint32(pos, c.mask.size[0], true);
    view.setUint32(pos + 4, c.mask.size[1], true);
    view.setUint32(pos + 8, c.mask.counts.length, true);
    pos += 12;
    // Validated as ASCII above, so one byte per character.
    utf8.encodeInto(c.mask.counts, out.subarray(pos));
    pos += c.mask.counts.length;
  }
  return out;
}

/** Parses a binary candidate set; anything but a well-formed version-1 set throws WireFormatError. */
export function decodeCandidateSet(input: Uint8Array | ArrayBuffer): CandidateSet {
  // Annotated so that `r.fail(...)` (returns never) narrows types after it.
  const r: Reader = new Reader(input instanceof Uint8Array ? input : new Uint8Array(input));

  r.need(FIXED_HEADER_BYTES, 'header');
  const magic = r.take(4, 'magic');
  if (MAGIC.some((b, k) => magic[k] !== b)) r.fail('not a refseg candidate set (bad magic)', 0);
  const version = r.u16();
  if (version !== CANDIDATE_SET_FORMAT_VERSION) r.fail(`unsupported format version ${version}`, 4);
  const dtypeCode = r.u8();
  const dtype = DTYPE_BY_CODE[dtypeCode];
  if (dtype === undefined) r.fail(`unknown embedding dtype code ${dtypeCode}`, 6);
  if (r.u8() !== 0) r.fail('reserved flags are set', 7);
  const imageSha256 = bytesToHex(r.take(32, 'image hash'));
  const width = r.u32();
  const height = r.u32();
  const dim = r.u32();
  const count = r.u32();
  const modelId = r.utf8String('model id');
  const pipelineId = r.utf8String('pipeline id');
  const header: CandidateSetHeader = { imageSha256, width, height, modelId, pipelineId, dim };
  const bad = headerProblem(header, count);
  if (bad) r.fail(bad, 8);

  // Checked before the candidate array exists: a corrupted count cannot make us allocate.
  const minCandidateBytes = FIXED_CANDIDATE_BYTES + dim * bytesPerValue(dtype);
  if (count * minCandidateBytes > r.remaining) {
    r.fail(`header declares ${count} candidates of at least ${minCandidateBytes} bytes, but only ${r.remaining} bytes follow`, 52);
  }

  const candidates: Candidate[] = [];
  for (let i = 0; i < count; i++) {
    const start = r.pos;
    r.need(minCandidateBytes, `candidate ${i}`);
    const iou = r.f32();
    const box256: Candidate['box256'] = [r.u16(), r.u16(), r.u16(), r.u16()];
    const embedding = readEmbedding(r.bytes, r.pos, dim, dtype);
    r.skip(dim * bytesPerValue(dtype), `candidate ${i} embedding`);
    const size: [number, number] = [r.u32(), r.u32()];
    const countsLength = r.u32();
    const counts = lenientUtf8.decode(r.take(countsLength, `candidate ${i} mask counts`));
    const candidate: Candidate = { iou, box256, embedding, mask: { size, counts } };
    const problem = candidateProblem(candidate, header);
    if (problem) r.fail(`candidate ${i}: ${problem}`, start);
    candidates.push(candidate);
  }
  if (r.remaining !== 0) r.fail(`${r.remaining} trailing bytes after the last candidate`, r.pos);
  return { ...header, candidates };
}

/** Bounds-checked little-endian cursor; every failure is a WireFormatError with its offset. */
class Reader {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  pos = 0;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  fail(detail: string, offset: number): never {
    throw new WireFormatError(detail, { offset });
  }

  need(n: number, what: string): void {
    if (n > this.remaining) this.fail(`truncated ${what}: need ${n} bytes, ${this.remaining} left`, this.pos);
  }

  skip(n: number, what: string): void {
    this.need(n, what);
    this.pos += n;
  }

  take(n: number, what: string): Uint8Array {
    this.need(n, what);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  u8(): number {
    this.need(1, 'u8');
    return this.view.getUint8(this.pos++);
  }

  u16(): number {
    this.need(2, 'u16');
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4, 'u32');
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  f32(): number {
    this.need(4, 'f32');
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  utf8String(what: string): string {
    const start = this.pos;
    const length = this.u16();
    const bytes = this.take(length, what);
    try {
      return strictUtf8.decode(bytes);
    } catch {
      return this.fail(`${what} is not valid UTF-8`, start);
    }
  }
}
