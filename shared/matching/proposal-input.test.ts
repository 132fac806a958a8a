// Embeddings pooled elsewhere (the GPU node's decoder graph) take the place of the host pooling in
// both halves of the pipeline, row for row, and a wrong size is refused.
import { describe, expect, it } from 'vitest';
import { writeBlobLogits } from '../../test/bench/synthetic.ts';
import { ShapeMismatchError } from './errors.ts';
import { extractCandidates } from './extract.ts';
import { LOW_RES } from './low-res-mask.ts';
import { segmentOfficial } from './official.ts';

const PLANE = LOW_RES * LOW_RES;
const DIM = 4;

function input() {
  const logits = new Float32Array(3 * PLANE).fill(-1);
  writeBlobLogits(logits, 0, { cx: 100, cy: 80, rx: 40, ry: 20, angle: 0.3, wobble: 0.2, lobes: 5 });
  writeBlobLogits(logits, 2 * PLANE, { cx: 60, cy: 160, rx: 30, ry: 30, angle: 0, wobble: 0, lobes: 3 });
  const features = { data: Float32Array.from({ length: 37 * 37 * DIM }, (_, i) => Math.sin(i)), rows: 37, cols: 37, dim: DIM };
  // Rows 0 and 2 given; row 1 (an empty mask) holds NaN, as the graph gives it.
  const embeddings = new Float32Array([0.5, 0.5, 0.5, 0.5, NaN, NaN, NaN, NaN, 1, 0, 0, 0]);
  return { lowResLogits: logits, iou: new Float32Array([0.9, 0.8, 0.7]), features, height: 300, width: 400, embeddings };
}

describe('ProposalInput.embeddings', () => {
  it('are the candidates\' embeddings, empty masks skipped, in extraction and in segmentOfficial', () => {
    const set = extractCandidates(input(), { imageSha256: 'x', modelId: 'm', pipelineId: 'p' });
    expect(set.candidates.map((c) => [...c.embedding])).toEqual([
      [0.5, 0.5, 0.5, 0.5],
      [1, 0, 0, 0],
    ]);
    const detections = segmentOfficial({ ...input(), prototypes: [[1, 0, 0, 0]] });
    // Cosine with the prototype: 0.5 and 1 (the host pooler would give other values).
    expect(detections.map((d) => [d.index, d.score])).toEqual([
      [2, 1],
      [0, 0.5],
    ]);
  });

  it('must hold D values per proposal', () => {
    const bad = { ...input(), embeddings: new Float32Array(8) };
    expect(() => extractCandidates(bad, { imageSha256: 'x', modelId: 'm', pipelineId: 'p' })).toThrow(ShapeMismatchError);
    expect(() => segmentOfficial({ ...bad, prototypes: [[1, 0, 0, 0]] })).toThrow(ShapeMismatchError);
  });
});
