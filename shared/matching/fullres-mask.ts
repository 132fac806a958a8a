// Full-resolution masks (method.md §3.6): the 256×256 logits resized to (ori_h, ori_w) with torch's
// antialiased bilinear (width pass, then height pass), thresholded at > 0, written straight to COCO
// RLE with the inclusive box and area.
//
// The resampling weights are non-negative and sum to 1, so an output pixel whose input window holds
// only positive cells is foreground and one whose window holds no positive cell is background;
// only pixels whose window is mixed (along the mask's edge) are interpolated. Outputs sharing a
// window form a group, and the work per mask is one integral image of the 256-grid mask around its
// box, one state per (row group, column group), and the edge pixels.
import { countsToString } from '../coco-mask/index.ts';
import { bilinearAaAxis } from '../resample/index.ts';
import type { BoxXyxy, Rle } from '../types.ts';
import { axisGroups } from './axis-groups.ts';
import { ShapeMismatchError } from './errors.ts';
import { LOW_RES } from './low-res-mask.ts';
import type { LowResLogits, LowResMask } from './low-res-mask.ts';

export interface FullResMask {
  rle: Rle;
  /** The same mask as uncompressed runs (what the RLE string encodes), for overlap walks. */
  runs: Uint32Array;
  /** Foreground pixels. */
  area: number;
  /** Inclusive box; [0,0,0,0] when the mask is empty. */
  box: BoxXyxy;
}

export interface FullResRenderer {
  height: number;
  width: number;
  render(logits: LowResLogits, mask: LowResMask): FullResMask;
}

// Module-local copy for the inner loops: after transpilation an imported binding can be a getter call.
const SIDE = LOW_RES;
const BACKGROUND = 0;
const FOREGROUND = 1;
const MIXED = 2;

export function createFullResRenderer(height: number, width: number): FullResRenderer {
  if (!(Number.isSafeInteger(height) && height > 0 && Number.isSafeInteger(width) && width > 0)) {
    throw new ShapeMismatchError(`image size must be positive integers, got ${width}×${height}`);
  }
  const rowsAxis = axisGroups(bilinearAaAxis(LOW_RES, height), LOW_RES);
  const colsAxis = axisGroups(bilinearAaAxis(LOW_RES, width), LOW_RES);
  const ay = rowsAxis.axis;
  const ax = colsAxis.axis;
  const emptyRuns = Uint32Array.of(height * width);
  const emptyRle: Rle = { size: [height, width], counts: countsToString(emptyRuns) };
  const empty = (): FullResMask => ({ rle: emptyRle, runs: emptyRuns, area: 0, box: [0, 0, 0, 0] });

  // Scratch, grown on demand and reused across masks.
  let integral = new Int32Array(0);
  let rowBits = new Uint8Array(LOW_RES);
  let counts: Uint32Array = new Uint32Array(1024);
  const segFrom = new Int32Array(height + 1);
  const segTo = new Int32Array(height + 1);
  const segState = new Uint8Array(height + 1);

  function render(logits: LowResLogits, mask: LowResMask): FullResMask {
    if (mask.area === 0) return empty();
    const [bx1, by1, bx2, by2] = mask.box;
    const ox0 = colsAxis.reachFirst[bx1];
    const ox1 = colsAxis.reachLast[bx2] + 1;
    const oy0 = rowsAxis.reachFirst[by1];
    const oy1 = rowsAxis.reachLast[by2] + 1;
    // The 256-grid cells those outputs read.
    const ly0 = ay.start[oy0];
    const ly1 = ay.start[oy1 - 1] + ay.size[oy1 - 1];
    const lx0 = ax.start[ox0];
    const lx1 = ax.start[ox1 - 1] + ax.size[ox1 - 1];

    // integral[r·stride + c] = positive cells in rows ly0…ly0+r−1, columns lx0…lx0+c−1.
    const rows = ly1 - ly0;
    const cols = lx1 - lx0;
    const stride = cols + 1;
    if (integral.length < (rows + 1) * stride) integral = new Int32Array((rows + 1) * stride * 2);
    if (rowBits.length < cols) rowBits = new Uint8Array(cols);
    // Locals, not the closure's variables, in the loops below: V8 reloads captured ones every time.
    const I = integral;
    const bits = rowBits;
    I.fill(0, 0, stride);
    const rowRuns = mask.runs;
    let r = 0;
    for (let y = 0; y < rows; y++) {
      bits.fill(0, 0, cols);
      while (r < rowRuns.length && rowRuns[r] === ly0 + y) {
        bits.fill(1, rowRuns[r + 1] - lx0, rowRuns[r + 2] - lx0);
        r += 3;
      }
      const above = y * stride;
      const here = above + stride;
      I[here] = 0;
      let rowSum = 0;
      for (let c = 0; c < cols; c++) {
        rowSum += bits[c];
        I[here + c + 1] = I[above + c + 1] + rowSum;
      }
    }

    const plane = mask.index * SIDE * SIDE;
    const gap = height - (oy1 - oy0);
    let n = 0;
    let value = BACKGROUND;
    let runStart = 0;
    let area = 0;
    let minX = width;
    let maxX = -1;
    let minY = height;
    let maxY = -1;

    const rg0 = rowsAxis.groupOf[oy0];
    const rg1 = rowsAxis.groupOf[oy1 - 1];
    const rowFirst = rowsAxis.first;
    const colFirst = colsAxis.first;
    const yStart = ay.start;
    const ySize = ay.size;
    const yWeights = ay.weights;
    const yTaps = ay.maxSize;
    const xStart = ax.start;
    const xSize = ax.size;
    const xWeights = ax.weights;
    const xTaps = ax.maxSize;
    const sFrom = segFrom;
    const sTo = segTo;
    const sState = segState;
    const h = height;
    let out = counts;
    for (let cg = colsAxis.groupOf[ox0]; cg <= colsAxis.groupOf[ox1 - 1]; cg++) {
      const gx0 = colFirst[cg];
      const gx1 = colFirst[cg + 1];
      const sx = xStart[gx0];
      const nx = xSize[gx0];
      const c0 = sx - lx0;
      const c1 = c0 + nx;

      // This column group's rows as segments of one state (consecutive mixed groups merged too).
      let segs = 0;
      for (let rg = rg0; rg <= rg1; rg++) {
        const gy0 = rowFirst[rg];
        const top = yStart[gy0] - ly0;
        const bottom = top + ySize[gy0];
        const t = top * stride;
        const b = bottom * stride;
        const inside = I[b + c1] - I[t + c1] - I[b + c0] + I[t + c0];
        const state = inside === 0 ? BACKGROUND : inside === (bottom - top) * nx ? FOREGROUND : MIXED;
        if (segs > 0 && sState[segs - 1] === state) {
          sTo[segs - 1] = rowFirst[rg + 1];
        } else {
          sFrom[segs] = gy0;
          sTo[segs] = rowFirst[rg + 1];
          sState[segs] = state;
          segs++;
        }
      }

      for (let ox = gx0; ox < gx1; ox++) {
        const col = ox * h;
        const kx = ox * xTaps;
        let columnArea = 0;
        for (let s = 0; s < segs; s++) {
          const from = sFrom[s];
          const to = sTo[s];
          const state = sState[s];
          if (state !== MIXED) {
            if (state !== value) {
              if (n === out.length) out = counts = grow(out);
              out[n++] = col + from - runStart;
              runStart = col + from;
              value = state;
            }
            if (state === FOREGROUND) {
              columnArea += to - from;
              if (from < minY) minY = from;
              if (to - 1 > maxY) maxY = to - 1;
            }
            continue;
          }
          for (let oy = from; oy < to; oy++) {
            // Width pass then height pass, each summed from 0 in tap order, as torch does.
            const ky = oy * yTaps;
            const src = plane + yStart[oy] * SIDE + sx;
            let acc = 0;
            if (nx === 2 && ySize[oy] === 2) {
              // The usual upsampling case, unrolled; same products and order as the loop below.
              const wx0 = xWeights[kx];
              const wx1 = xWeights[kx + 1];
              acc = yWeights[ky] * (wx0 * logits[src] + wx1 * logits[src + 1]) + yWeights[ky + 1] * (wx0 * logits[src + SIDE] + wx1 * logits[src + SIDE + 1]);
            } else {
              for (let j = 0; j < ySize[oy]; j++) {
                const row = src + j * SIDE;
                let sum = 0;
                for (let i = 0; i < nx; i++) sum += xWeights[kx + i] * logits[row + i];
                acc += yWeights[ky + j] * sum;
              }
            }
            const bit = acc > 0 ? FOREGROUND : BACKGROUND;
            if (bit !== value) {
              if (n === out.length) out = counts = grow(out);
              out[n++] = col + oy - runStart;
              runStart = col + oy;
              value = bit;
            }
            if (bit === FOREGROUND) {
              columnArea++;
              if (oy < minY) minY = oy;
              if (oy > maxY) maxY = oy;
            }
          }
        }
        if (columnArea > 0) {
          area += columnArea;
          if (ox < minX) minX = ox;
          maxX = ox;
        }
        // Rows outside the window are background: a foreground run ends at the window's bottom.
        if (value === FOREGROUND && gap > 0) {
          if (n === out.length) out = counts = grow(out);
          out[n++] = col + oy1 - runStart;
          runStart = col + oy1;
          value = BACKGROUND;
        }
      }
    }

    if (area === 0) return empty();
    if (n + 2 > out.length) out = counts = grow(out);
    if (value === FOREGROUND) {
      out[n++] = ox1 * h - runStart;
      runStart = ox1 * h;
    }
    // A mask that ends on the last pixel has no trailing background run (as pycocotools).
    if (runStart < h * width) out[n++] = h * width - runStart;
    const runs = out.slice(0, n);
    return { rle: { size: [height, width], counts: countsToString(runs) }, runs, area, box: [minX, minY, maxX, maxY] };
  }

  return { height, width, render };
}

function grow(counts: Uint32Array): Uint32Array {
  const out = new Uint32Array(counts.length * 2);
  out.set(counts);
  return out;
}
