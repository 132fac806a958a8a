// A scripted SAM2 for pipeline unit tests: for prompt point (x, y) in 1024 space, output t is a
// cone of logits `slope·(radius(t) − distance)` around the point's 256-grid cell (−32 from two
// cells outside the rim on), and its predicted IoU is whatever `iou(prompt, t)` says (prompt =
// index among all prompts decoded so far).
import type { Decoded, Sam2Api, Sam2Embeddings } from '../models/index.ts';

export interface ScriptedSam2 extends Sam2Api {
  /** Points per decodePoints call. */
  batches: number[];
  boxes: number[][];
}

export const FAKE_EMBEDDINGS: Sam2Embeddings = {
  key: '0:0',
  levels: [new Float32Array(0), new Float32Array(0), new Float32Array(0)],
};

export interface Script {
  maskTokens: number;
  iou: (prompt: number, token: number) => number;
  radius?: (token: number) => number;
  slope?: number;
}

export function scriptedSam2(opts: Script): ScriptedSam2 {
  const K = opts.maskTokens;
  const radius = opts.radius ?? ((t: number) => 6.37 + 5 * t);
  const slope = opts.slope ?? 1;
  let seen = 0;
  const batches: number[] = [];
  const boxes: number[][] = [];
  const decode = (centres: number[][]): Decoded => {
    const n = centres.length;
    const logits = new Float32Array(n * K * 65536);
    const iou = new Float32Array(n * K);
    centres.forEach(([cx, cy], p) => {
      for (let t = 0; t < K; t++) {
        const plane = (p * K + t) * 65536;
        const r = radius(t);
        logits.fill(-32, plane, plane + 65536);
        const [y0, y1] = [Math.max(0, Math.floor(cy - r - 2)), Math.min(255, Math.ceil(cy + r + 2))];
        const [x0, x1] = [Math.max(0, Math.floor(cx - r - 2)), Math.min(255, Math.ceil(cx + r + 2))];
        for (let y = y0; y <= y1; y++) {
          for (let x = x0; x <= x1; x++) logits[plane + y * 256 + x] = slope * (r - Math.hypot(x + 0.5 - cx, y + 0.5 - cy));
        }
        iou[p * K + t] = opts.iou(seen + p, t);
      }
    });
    seen += n;
    return { logits, iou, count: n, maskTokens: K };
  };
  return {
    batches,
    boxes,
    encode: async () => FAKE_EMBEDDINGS,
    decodePoints: async (_emb, points) => {
      batches.push(points.length / 2);
      const centres: number[][] = [];
      for (let i = 0; i < points.length; i += 2) centres.push([(points[i] + 0.5) / 4, (points[i + 1] + 0.5) / 4]);
      return decode(centres);
    },
    decodePrompt: async (_emb, points, labels) => {
      let [sx, sy, n] = [0, 0, 0];
      for (let i = 0; i < labels.length; i++) {
        if (labels[i] !== 1) continue;
        [sx, sy, n] = [sx + points[2 * i], sy + points[2 * i + 1], n + 1];
      }
      return decode([[(sx / n + 0.5) / 4, (sy / n + 0.5) / 4]]);
    },
    decodeBox: async (_emb, box) => {
      boxes.push(Array.from(box));
      return decode([[(box[0] + box[2] + 1) / 8, (box[1] + box[3] + 1) / 8]]);
    },
  };
}
