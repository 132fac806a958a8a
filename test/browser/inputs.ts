// Node side of the browser test: the inputs both runtimes get, and the answers known
// independently of shared/ (pycocotools and Pillow from the golden fixtures, node:crypto).
import { createHash } from 'node:crypto';
import { bytesToBase64 } from '../../shared/encoding/index.ts';
import { extractCandidates } from '../../shared/matching/index.ts';
import type { CandidateSet } from '../../shared/types.ts';
import { encodeCandidateSet } from '../../shared/wire/index.ts';
import { syntheticScene } from '../bench/synthetic.ts';
import type { SyntheticScene } from '../bench/synthetic.ts';
import { listCases, loadCase } from '../golden/fixtures.ts';
import type { NdArray } from '../golden/fixtures.ts';
import type { SharedCheckInputs } from './shared-checks.ts';

export interface RleAnswer {
  name: string;
  counts: string;
  area: number;
  bbox: number[];
}

export interface ResizeAnswer {
  name: string;
  bytes: number;
  sha256: string;
}

export interface Expected {
  /** pycocotools' answers for the golden encode cases. */
  rle: RleAnswer[];
  /** node:crypto's digests. */
  sha256: { name: string; hex: string }[];
  /** SHA-256 of Pillow's output images (HWC). */
  resizes: ResizeAnswer[];
}

const sha256Node = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function chwToHwc(chw: ArrayLike<number>, h: number, w: number): Uint8Array {
  const out = new Uint8Array(3 * h * w);
  for (let p = 0; p < 3; p++) for (let i = 0; i < h * w; i++) out[i * 3 + p] = chw[p * h * w + i];
  return out;
}

function casesOf(family: string): string[] {
  const files = listCases(family);
  if (files === null || files.length === 0) throw new Error(`the golden family "${family}" has no cases: the browser test needs its fixtures`);
  return files;
}

/** Every `encode` case of the golden rle family. */
function rleCases(): { inputs: SharedCheckInputs['masks']; answers: RleAnswer[] } {
  const inputs: SharedCheckInputs['masks'] = [];
  const answers: RleAnswer[] = [];
  for (const file of casesOf('rle')) {
    const c = loadCase('rle', file);
    if (c.op !== 'encode') continue;
    const { h, w } = c.input as { h: number; w: number };
    inputs.push({ name: file, h, w, mask: bytesToBase64((c.input.mask as NdArray).data as Uint8Array) });
    answers.push({ name: file, counts: c.expected.rle.counts as string, area: c.expected.area as number, bbox: c.expected.bbox as number[] });
  }
  return { inputs, answers };
}

/** Every Pillow bicubic case of the golden resize family. */
function resizeCases(): { inputs: SharedCheckInputs['resizes']; answers: ResizeAnswer[] } {
  const inputs: SharedCheckInputs['resizes'] = [];
  const answers: ResizeAnswer[] = [];
  for (const file of casesOf('resize')) {
    const c = loadCase('resize', file);
    if (c.kind !== 'pil_bicubic_u8') continue;
    const { h, w } = c.input as { h: number; w: number };
    const { out_h: outH, out_w: outW } = c.params as { out_h: number; out_w: number };
    inputs.push({ name: file, w, h, outW, outH, rgb: bytesToBase64(chwToHwc((c.input.image_chw_u8 as NdArray).data, h, w)) });
    const want = chwToHwc((c.expected.image_chw_u8 as NdArray).data, outH, outW);
    answers.push({ name: file, bytes: want.length, sha256: sha256Node(want) });
  }
  return { inputs, answers };
}

function hashCases(): SharedCheckInputs['hashes'] {
  const utf8 = new TextEncoder();
  // 1 MiB + 3 bytes: several WebCrypto chunks and a length that is not a multiple of 64.
  const big = Uint8Array.from({ length: (1 << 20) + 3 }, (_, i) => (i * 2654435761) >>> 24);
  return [
    { name: 'empty', bytes: '' },
    { name: 'abc', bytes: bytesToBase64(utf8.encode('abc')) },
    { name: 'unicode', bytes: bytesToBase64(utf8.encode('référence → 参照 🖼️')) },
    { name: '1MiB+3', bytes: bytesToBase64(big) },
  ];
}

/** A realistic candidate set (test/bench's synthetic scene through extractCandidates). */
export interface Scene {
  scene: SyntheticScene;
  set: CandidateSet;
}

export const SCENE_OPTIONS = { proposals: 160, dim: 48, classes: 4, height: 90, width: 120, seed: 20250717 };

export function buildScene(imageSha256: string): Scene {
  const scene = syntheticScene(SCENE_OPTIONS);
  const set = extractCandidates(scene, { imageSha256, modelId: 'standin-sam2+dinov2', pipelineId: 'official-v1' });
  return { scene, set };
}

export function buildInputs(scene: Scene): { inputs: SharedCheckInputs; expected: Expected } {
  const rle = rleCases();
  const resizes = resizeCases();
  const hashes = hashCases();
  const inputs: SharedCheckInputs = {
    masks: rle.inputs,
    hashes,
    candidateSet: bytesToBase64(encodeCandidateSet(scene.set)),
    prototypes: scene.scene.prototypes.map((p) => Array.from(p)),
    resizes: resizes.inputs,
  };
  const expected: Expected = {
    rle: rle.answers,
    sha256: hashes.map(({ name, bytes }) => ({ name, hex: sha256Node(Buffer.from(bytes, 'base64')) })),
    resizes: resizes.answers,
  };
  return { inputs, expected };
}
