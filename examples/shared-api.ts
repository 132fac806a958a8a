// The shared core end to end, on hand-made model outputs: two square proposals of one colour,
// features that make them match class 0, a candidate set sent over the wire, then matching.
// Shown in the README and run by examples/shared-api.test.ts, so the example cannot rot.
import { decodeRle } from '../shared/coco-mask/index.ts';
import { extractCandidates, matchCandidates, segmentOfficial } from '../shared/matching/index.ts';
import { decodeCandidateSet, encodeCandidateSet } from '../shared/wire/index.ts';
import type { Detection } from '../shared/types.ts';

export function runExample(): { detections: Detection[]; wireBytes: number; sameAsOfficial: boolean } {
  const n = 2;
  const D = 4;
  const height = 120;
  const width = 160;
  // Low-res logits [n,256,256]: proposal 0 a square at rows/cols 40..99, proposal 1 at 150..209.
  const logits = new Float32Array(n * 256 * 256).fill(-8);
  const square = (k: number, from: number, to: number) => {
    for (let y = from; y <= to; y++) for (let x = from; x <= to; x++) logits[k * 65536 + y * 256 + x] = 8;
  };
  square(0, 40, 99);
  square(1, 150, 209);
  // Patch features [37,37,D]: every patch points along channel 0, so both squares embed to (1,0,0,0).
  const features = new Float32Array(37 * 37 * D);
  for (let p = 0; p < 37 * 37; p++) features[p * D] = 1;
  const input = {
    lowResLogits: logits,
    iou: Float32Array.of(0.9, 0.8),
    features: { data: features, rows: 37, cols: 37, dim: D },
    height,
    width,
  };
  // Class 0 points along channel 0, class 1 along channel 2.
  const prototypes = [Float32Array.of(1, 0, 0, 0), Float32Array.of(0, 0, 1, 0)];

  // gpu-node side: bank-agnostic candidates, sent as bytes.
  const set = extractCandidates(input, { imageSha256: '0'.repeat(64), modelId: 'example', pipelineId: 'official' });
  const bytes = encodeCandidateSet(set);
  // edge side: decode, match against any bank, as often as needed.
  const detections = matchCandidates(decodeCandidateSet(bytes), prototypes);

  const official = segmentOfficial({ ...input, prototypes }).map(({ index: _i, ...d }) => d);
  const split = detections.map(({ index: _i, ...d }) => d);
  return { detections, wireBytes: bytes.byteLength, sameAsOfficial: JSON.stringify(official) === JSON.stringify(split) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { detections, wireBytes, sameAsOfficial } = runExample();
  for (const d of detections) {
    const pixels = decodeRle(d.mask).reduce((a, b) => a + b, 0);
    console.log(`class ${d.label} score ${d.score.toFixed(4)} bbox ${JSON.stringify(d.bbox)} area ${d.area} (${pixels} px)`);
  }
  console.log(`candidate set on the wire: ${wireBytes} bytes; identical to segmentOfficial: ${sameAsOfficial}`);
}
