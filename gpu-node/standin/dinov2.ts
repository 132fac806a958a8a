// Stand-in DINOv2 with the onnx-community I/O (spec/models.md §3.2): `pixel_values`
// [batch_size, 3, height, width] → `last_hidden_state` [batch_size, 1 + R + (H/14)(W/14), D] and
// `pooler_output` [batch_size, D].
//
// Patch token = Q · [rbf(mean colour), ½·std(colour), 0.05·x, 0.05·y] where rbf are Gaussian
// responses to a fixed palette of anchor colours (σ² = 2 in ImageNet-normalised units), std is
// the per-channel colour deviation inside the patch (texture) and x, y the patch centre in [0, 1].
// Q has orthonormal columns, so cosine similarities of tokens equal those of the feature
// vectors: same-colour patches ≈ 1 wherever they are, palette colours that differ ≈ 0.
// CLS = mean patch token (also the pooler output); register i = CLS ⊙ fixed vector i.
import { FLOAT, GraphBuilder, pseudoRandom, type EncodedModel } from './onnx-graph.ts';

export const PATCH = 14;
export const RBF_SIGMA2 = 2;
export const POSITION_WEIGHT = 0.05;
const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

/** Anchor colours (8-bit RGB) of the colour code. */
export const PALETTE: readonly (readonly [number, number, number])[] = [
  [0, 0, 0],
  [255, 255, 255],
  [128, 128, 128],
  [255, 0, 0],
  [0, 255, 0],
  [0, 0, 255],
  [255, 255, 0],
  [0, 255, 255],
  [255, 0, 255],
  [255, 128, 0],
];

const FEATURES = PALETTE.length + 3 + 2;

/** Orthonormal columns (Gram–Schmidt of fixed pseudo-random vectors): [dim, FEATURES] row-major. */
function orthonormalColumns(dim: number): Float32Array {
  const rnd = pseudoRandom(11);
  const cols: Float64Array[] = [];
  for (let j = 0; j < FEATURES; j++) {
    const v = Float64Array.from({ length: dim }, () => rnd());
    for (const c of cols) {
      let dot = 0;
      for (let i = 0; i < dim; i++) dot += v[i] * c[i];
      for (let i = 0; i < dim; i++) v[i] -= dot * c[i];
    }
    const norm = Math.hypot(...v);
    for (let i = 0; i < dim; i++) v[i] /= norm;
    cols.push(v);
  }
  const q = new Float32Array(dim * FEATURES);
  for (let i = 0; i < dim; i++) for (let j = 0; j < FEATURES; j++) q[i * FEATURES + j] = cols[j][i];
  return q;
}

export interface DinoStandinOptions {
  /** Hidden size D (real: 384/768/1024/1536). Default 32. */
  dim?: number;
  /** Register tokens R (0 or 4 in the real exports). Default 0. */
  registers?: number;
  /** Fixed square input size instead of symbolic height/width. */
  fixedSize?: number;
}

export function dinov2(opts: DinoStandinOptions = {}): EncodedModel {
  const D = opts.dim ?? 32;
  const R = opts.registers ?? 0;
  if (D < FEATURES) throw new RangeError(`stand-in DINOv2 needs dim >= ${FEATURES}`);
  const b = new GraphBuilder(R > 0 ? 'dinov2_with_registers_standin' : 'dinov2_standin');
  const H = opts.fixedSize ?? 'height';
  const W = opts.fixedSize ?? 'width';
  const x = b.input('pixel_values', FLOAT, ['batch_size', 3, H, W]);

  const pool = (t: string) => b.op('AveragePool', [t], { kernel_shape: [PATCH, PATCH], strides: [PATCH, PATCH] });
  const mean = pool(x);
  const sq = b.op('Mul', [mean, mean]);
  const std = b.op('Sqrt', [b.op('Relu', [b.op('Sub', [pool(b.op('Mul', [x, x])), sq])])]);

  // ‖m − μ_j‖² = ‖m‖² − 2 m·μ_j + ‖μ_j‖²: the last two terms are one 1×1 Conv with bias.
  const anchors = PALETTE.map((rgb) => rgb.map((v, c) => (v / 255 - MEAN[c]) / STD[c]));
  const convW = b.floats(anchors.flatMap((a) => a.map((v) => -2 * v)), [PALETTE.length, 3, 1, 1]);
  const convB = b.floats(anchors.map((a) => a.reduce((s, v) => s + v * v, 0)), [PALETTE.length]);
  const dist2 = b.op('Add', [b.reduceSum(sq, [1]), b.op('Conv', [mean, convW, convB])]);
  const rbf = b.op('Exp', [b.op('Mul', [dist2, b.scalar(-1 / RBF_SIGMA2)])]);

  const ones = b.op('ConstantOfShape', [b.op('Shape', [b.reduceSum(sq, [1])])], {
    value: { dataType: FLOAT, dims: [1], floatData: [1] },
  });
  const centre = (axis: number) =>
    b.op('Mul', [
      b.op('Div', [
        b.op('Sub', [b.op('CumSum', [ones, b.ints([axis], [])]), b.scalar(0.5)]),
        b.reduceSum(ones, [axis]),
      ]),
      b.scalar(POSITION_WEIGHT),
    ]);
  const feats = b.op('Concat', [rbf, b.op('Mul', [std, b.scalar(0.5)]), centre(3), centre(2)], { axis: 1 });
  const tokens = b.op('Transpose', [b.reshape(b.op('Conv', [feats, b.floats(orthonormalColumns(D), [D, FEATURES, 1, 1])]), [0, D, -1])], {
    perm: [0, 2, 1],
  });
  const cls = b.reduceMean(tokens, [1]);
  const parts = [cls];
  if (R > 0) {
    const rnd = pseudoRandom(13);
    parts.push(b.op('Mul', [cls, b.floats(Float32Array.from({ length: R * D }, () => 1 + 0.5 * rnd()), [1, R, D])]));
  }
  parts.push(tokens);
  const seqLen = typeof H === 'number' && typeof W === 'number' ? 1 + R + (Math.floor(H / PATCH) * Math.floor(W / PATCH)) : 'sequence_length';
  b.output('last_hidden_state', b.op('Concat', parts, { axis: 1 }), FLOAT, ['batch_size', seqLen, D]);
  b.output('pooler_output', b.reduceMean(tokens, [1], 0), FLOAT, ['batch_size', D]);
  return b.encode({ docString: 'refseg stand-in' });
}

