// Golden runner for resize/ (fixtures README §3.2): Pillow BICUBIC exact, torch kinds within
// the tolerance each case states.
import { expect } from 'vitest';
import { pilBicubicRgb8, torchBicubic, torchBilinear, torchNearest } from '../../shared/resample/index.ts';
import { describeGolden, expectClose } from './fixtures.ts';
import type { GoldenCase, NdArray } from './fixtures.ts';

function chwToHwc(chw: ArrayLike<number>, c: number, h: number, w: number): Uint8Array {
  const out = new Uint8Array(c * h * w);
  for (let p = 0; p < c; p++) for (let i = 0; i < h * w; i++) out[i * c + p] = chw[p * h * w + i];
  return out;
}

function checkShape(a: NdArray, shape: number[], what: string): void {
  expect(a.shape, `${what} shape`).toEqual(shape);
}

function runPil(c: GoldenCase): void {
  const { h, w } = c.input as { h: number; w: number };
  const { out_h: outH, out_w: outW } = c.params as { out_h: number; out_w: number };
  const input = c.input.image_chw_u8 as NdArray;
  const expected = c.expected.image_chw_u8 as NdArray;
  checkShape(input, [3, h, w], 'input');
  checkShape(expected, [3, outH, outW], 'expected');
  const got = pilBicubicRgb8(chwToHwc(input.data, 3, h, w), w, h, outW, outH);
  const want = chwToHwc(expected.data, 3, outH, outW);
  let differing = 0;
  let first = -1;
  for (let i = 0; i < want.length; i++) {
    if (got[i] !== want[i]) {
      differing++;
      if (first < 0) first = i;
    }
  }
  expect(got.length).toBe(want.length);
  expect(differing, `first differing byte ${first}: ${got[first]} vs ${want[first]}`).toBe(0);
}

/** The float32 tensor a case feeds torch: given directly, or `raw / divisor` rounded to float32. */
function torchInput(c: GoldenCase): Float32Array {
  if (c.input.x_chw_f32 !== undefined) return (c.input.x_chw_f32 as NdArray).data as Float32Array;
  const raw = c.input.raw as NdArray;
  const conversion = String(c.input.conversion);
  // "x = float32(u8 / 255.0): divide in float64, then round" or "x = int8 / 16 (exact ...)".
  const m = /\/\s*([0-9]+(?:\.[0-9]*)?)/.exec(conversion);
  if (m === null) throw new Error(`unknown conversion: ${conversion}`);
  const divisor = Number(m[1]);
  return Float32Array.from(raw.data, (v) => Math.fround(v / divisor));
}

/** Absolute tolerance from the case's `tolerance` text: "exact" or "abs K [* max(1, max|x|)]". */
function tolerance(text: string, x: Float32Array): number {
  if (/^\s*exact/i.test(text)) return 0;
  const m = /abs\s+([0-9.eE+-]+)(\s*\*\s*max\(1,\s*max\|x\|\))?/.exec(text);
  if (m === null) throw new Error(`unknown tolerance: ${text}`);
  let maxAbs = 0;
  for (const v of x) if (Math.abs(v) > maxAbs) maxAbs = Math.abs(v);
  return Number(m[1]) * (m[2] !== undefined ? Math.max(1, maxAbs) : 1);
}

function runTorch(c: GoldenCase, kind: string): void {
  const { c: ch, h, w } = c.input as { c: number; h: number; w: number };
  const { out_h: outH, out_w: outW } = c.params as { out_h: number; out_w: number };
  const x = torchInput(c);
  expect(x.length, 'input length').toBe(ch * h * w);
  const expected = c.expected.y_chw_f32 as NdArray;
  checkShape(expected, [ch, outH, outW], 'expected');
  let y: Float32Array;
  switch (kind) {
    case 'torch_bicubic':
      y = torchBicubic(x, ch, h, w, outH, outW);
      break;
    case 'torch_bilinear':
      y = torchBilinear(x, ch, h, w, outH, outW, { antialias: false });
      break;
    case 'torch_bilinear_aa':
      y = torchBilinear(x, ch, h, w, outH, outW, { antialias: true });
      break;
    case 'torch_nearest':
      y = torchNearest(x, ch, h, w, outH, outW);
      break;
    default:
      throw new Error(`unknown resize kind ${kind}`);
  }
  expectClose(y, expected.data, tolerance(String(c.tolerance), x), kind);
}

describeGolden('resize', (c) => {
  const kind = String(c.kind);
  if (kind === 'pil_bicubic_u8') runPil(c);
  else runTorch(c, kind);
});
