// A DINOv2 ViT-S/14-shaped graph with random weights, so the CPU cost of a real-size DINOv2 at 518²
// is known without the real weights: patch embedding (14×14 conv, 384 channels), CLS token and
// learned positions for 37² + 1 tokens, 12 pre-norm blocks (6-head softmax attention, MLP ×4 with
// exact GELU, LayerScale), final LayerNorm; the onnx-community I/O (`pixel_values` →
// `last_hidden_state`, `pooler_output`). Built with the stand-in graph writer (opset 17).
// Outputs are meaningless; only the arithmetic matches (≈ 22 M parameters, ≈ 46 G multiply-adds).
import { FLOAT, GraphBuilder, pseudoRandom } from '../../gpu-node/standin/onnx-graph.ts';
import type { EncodedModel } from '../../gpu-node/standin/onnx-graph.ts';

export const VIT_S14 = { dim: 384, depth: 12, heads: 6, mlp: 1536, patch: 14, size: 518 } as const;

export function vitS14(): EncodedModel {
  const { dim: D, depth, heads, mlp, patch, size } = VIT_S14;
  const grid = size / patch;
  const tokens = grid * grid + 1;
  const headDim = D / heads;
  const rnd = pseudoRandom(2024);
  const weights = (n: number, scale: number) => Float32Array.from({ length: n }, () => scale * rnd());
  const b = new GraphBuilder('dinov2_vits14_random');
  const x = b.input('pixel_values', FLOAT, [1, 3, size, size]);

  const patches = b.op('Conv', [x, b.floats(weights(D * 3 * patch * patch, 0.02), [D, 3, patch, patch]), b.floats(weights(D, 0.02), [D])], {
    kernel_shape: [patch, patch],
    strides: [patch, patch],
  });
  const seq = b.op('Transpose', [b.reshape(patches, [1, D, grid * grid])], { perm: [0, 2, 1] });
  let h = b.op('Add', [b.op('Concat', [b.floats(weights(D, 0.02), [1, 1, D]), seq], { axis: 1 }), b.floats(weights(tokens * D, 0.02), [1, tokens, D])]);

  const layerNorm = (t: string) => b.op('LayerNormalization', [t, b.floats(new Float32Array(D).fill(1), [D]), b.floats(new Float32Array(D), [D])], { axis: -1 });
  const linear = (t: string, inDim: number, outDim: number) =>
    b.op('Add', [b.op('MatMul', [t, b.floats(weights(inDim * outDim, 1 / Math.sqrt(inDim)), [inDim, outDim])]), b.floats(weights(outDim, 0.02), [outDim])]);
  const layerScale = (t: string) => b.op('Mul', [t, b.floats(new Float32Array(D).fill(1e-5), [D])]);

  for (let i = 0; i < depth; i++) {
    const qkv = b.op('Transpose', [b.reshape(linear(layerNorm(h), D, 3 * D), [1, tokens, 3, heads, headDim])], { perm: [2, 0, 3, 1, 4] });
    const part = (k: number) => b.op('Gather', [qkv, b.ints([k], [])], { axis: 0 });
    const q = b.op('Mul', [part(0), b.scalar(1 / Math.sqrt(headDim))]);
    const attn = b.op('Softmax', [b.op('MatMul', [q, b.op('Transpose', [part(1)], { perm: [0, 1, 3, 2] })])], { axis: -1 });
    const mixed = b.reshape(b.op('Transpose', [b.op('MatMul', [attn, part(2)])], { perm: [0, 2, 1, 3] }), [1, tokens, D]);
    h = b.op('Add', [h, layerScale(linear(mixed, D, D))]);
    const up = linear(layerNorm(h), D, mlp);
    const gelu = b.op('Mul', [b.op('Mul', [up, b.scalar(0.5)]), b.op('Add', [b.op('Erf', [b.op('Mul', [up, b.scalar(Math.SQRT1_2)])]), b.scalar(1)])]);
    h = b.op('Add', [h, layerScale(linear(gelu, mlp, D))]);
  }
  const out = layerNorm(h);
  b.output('last_hidden_state', out, FLOAT, [1, tokens, D]);
  b.output('pooler_output', b.reshape(b.op('Gather', [out, b.ints([0], [])], { axis: 1 }), [1, D]), FLOAT, [1, D]);
  return b.encode({ docString: 'refseg benchmark: random-weight ViT-S/14' });
}
