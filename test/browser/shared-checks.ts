// The computations the browser test runs twice, in Chromium and in Node, on the same inputs: if
// shared/ is truly runtime-independent the two results are deep-equal. Imports shared/ only (this
// file is bundled for the browser), and everything in and out is JSON.
import { decodeRle, encodeMask, rleArea, rleToBbox } from '../../shared/coco-mask/index.ts';
import { base64ToBytes, bytesToBase64, sha256Hex, toLittleEndianBytes } from '../../shared/encoding/index.ts';
import { matchCandidates } from '../../shared/matching/index.ts';
import { drawOverlay } from '../../shared/render/overlay.ts';
import { pilBicubicRgb8 } from '../../shared/resample/index.ts';
import type { CocoBox, Detection } from '../../shared/types.ts';
import { decodeCandidateSet } from '../../shared/wire/index.ts';

export interface SharedCheckInputs {
  /** Row-major uint8 masks, base64. */
  masks: { name: string; h: number; w: number; mask: string }[];
  /** Byte strings to hash, base64. */
  hashes: { name: string; bytes: string }[];
  /** A candidate set in the binary wire format, base64. */
  candidateSet: string;
  prototypes: number[][];
  /** HWC RGB uint8 images to resize with Pillow's bicubic, base64. */
  resizes: { name: string; w: number; h: number; outW: number; outH: number; rgb: string }[];
}

export interface SharedCheckResults {
  rle: { name: string; counts: string; area: number; bbox: CocoBox; decodesToInput: boolean }[];
  sha256: { name: string; hex: string }[];
  candidateSet: { imageSha256: string; width: number; height: number; dim: number; modelId: string; pipelineId: string; candidates: number; embeddingsSha256: string; masksSha256: string };
  detections: Detection[];
  resizes: { name: string; bytes: number; sha256: string }[];
  /** The detections drawn (masks, outlines, label chips) on a grey image of the set's size. */
  overlay: { sha256: string; colours: [number, number[]][]; changed: number };
}

export async function runSharedChecks(inputs: SharedCheckInputs): Promise<SharedCheckResults> {
  const rle = inputs.masks.map(({ name, h, w, mask }) => {
    const bytes = base64ToBytes(mask);
    const encoded = encodeMask(bytes, h, w);
    const decoded = decodeRle(encoded);
    const decodesToInput = decoded.length === bytes.length && decoded.every((v, i) => v === (bytes[i] !== 0 ? 1 : 0));
    return { name, counts: encoded.counts, area: rleArea(encoded), bbox: rleToBbox(encoded), decodesToInput };
  });

  const sha256 = await Promise.all(inputs.hashes.map(async ({ name, bytes }) => ({ name, hex: await sha256Hex(base64ToBytes(bytes)) })));

  const set = decodeCandidateSet(base64ToBytes(inputs.candidateSet));
  const embeddings = set.candidates.map((c) => bytesToBase64(toLittleEndianBytes(c.embedding))).join(',');
  const masks = set.candidates.map((c) => `${c.mask.size.join('x')}:${c.mask.counts}`).join(',');
  const utf8 = new TextEncoder();
  const candidateSet = {
    imageSha256: set.imageSha256,
    width: set.width,
    height: set.height,
    dim: set.dim,
    modelId: set.modelId,
    pipelineId: set.pipelineId,
    candidates: set.candidates.length,
    embeddingsSha256: await sha256Hex(utf8.encode(embeddings)),
    masksSha256: await sha256Hex(utf8.encode(masks)),
  };
  const detections = matchCandidates(set, inputs.prototypes);

  const resizes = await Promise.all(
    inputs.resizes.map(async ({ name, w, h, outW, outH, rgb }) => {
      const out = pilBicubicRgb8(base64ToBytes(rgb), w, h, outW, outH);
      return { name, bytes: out.length, sha256: await sha256Hex(out) };
    }),
  );

  const grey = new Uint8Array(set.width * set.height * 3).fill(128);
  const drawn = drawOverlay(grey, set.width, set.height, detections, { classNames: inputs.prototypes.map((_, i) => `class ${i}`) });
  const overlay = {
    sha256: await sha256Hex(drawn.rgb),
    colours: [...drawn.colours].map(([label, c]): [number, number[]] => [label, [...c]]),
    changed: drawn.rgb.reduce((n, v, i) => n + (v !== grey[i] ? 1 : 0), 0),
  };

  return { rle, sha256, candidateSet, detections, resizes, overlay };
}
