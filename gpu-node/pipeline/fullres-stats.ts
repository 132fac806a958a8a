// SAM2AutomaticMaskGenerator's per-mask numbers at the image's resolution (spec/models.md §2.3
// steps 5–7): the stability score count(logit > +o) / count(logit > −o) of the upsampled logits,
// and the area and inclusive box of logit > 0.
//
// The upsampling is the one the candidates' masks use (shared/matching fullres-mask.ts: torch
// bilinear with antialias, width pass then height pass, same summation order), so the box here is
// the box of the mask the candidate will carry. SAM2 upsamples without antialias; the two agree
// whenever a side is ≥ 256 px (upsampling), and differ only on smaller images.
//
// Only a window is computed: weights are non-negative and sum to 1, so an output can exceed −o
// only if one of its taps does; every output outside the window of such cells counts nowhere.
import { bilinearAaAxis } from '../../shared/resample/index.ts';
import type { SpanAxis } from '../../shared/resample/index.ts';
import type { BoxXyxy } from '../../shared/types.ts';

const GRID = 256;

export interface FullResStats {
  /** count(> +offset) / count(> −offset) in float32, NaN when nothing exceeds −offset (as torch's 0/0). */
  stability: number;
  /** count(> 0). */
  area: number;
  /** Inclusive box of logit > 0; [0,0,0,0] when empty. */
  box: BoxXyxy;
}

export interface FullResMeasurer {
  measure(plane: Float32Array, offset: number): FullResStats;
}

/** Output indices [first, last] whose taps meet input cells lo..hi; null when none does. */
function outputRange(axis: SpanAxis, lo: number, hi: number): [number, number] | null {
  let first = -1;
  let last = -1;
  for (let o = 0; o < axis.start.length; o++) {
    if (axis.start[o] <= hi && axis.start[o] + axis.size[o] - 1 >= lo) {
      if (first < 0) first = o;
      last = o;
    }
  }
  return first < 0 ? null : [first, last];
}

export function createFullResMeasurer(height: number, width: number): FullResMeasurer {
  const ay = bilinearAaAxis(GRID, height);
  const ax = bilinearAaAxis(GRID, width);
  let rowPass = new Float64Array(0);
  const none = (): FullResStats => ({ stability: Number.NaN, area: 0, box: [0, 0, 0, 0] });

  function measure(plane: Float32Array, offset: number): FullResStats {
    const low = -offset;
    let cy0 = GRID;
    let cy1 = -1;
    let cx0 = GRID;
    let cx1 = -1;
    for (let y = 0; y < GRID; y++) {
      for (let x = 0; x < GRID; x++) {
        if (plane[y * GRID + x] > low) {
          if (y < cy0) cy0 = y;
          cy1 = y;
          if (x < cx0) cx0 = x;
          if (x > cx1) cx1 = x;
        }
      }
    }
    if (cy1 < 0) return none();
    const ys = outputRange(ay, cy0, cy1);
    const xs = outputRange(ax, cx0, cx1);
    if (ys === null || xs === null) return none();
    const [oy0, oy1] = ys;
    const [ox0, ox1] = xs;
    const ly0 = ay.start[oy0];
    const ly1 = ay.start[oy1] + ay.size[oy1];
    const regionW = ox1 - ox0 + 1;
    if (rowPass.length < (ly1 - ly0) * regionW) rowPass = new Float64Array((ly1 - ly0) * regionW);
    for (let ly = ly0; ly < ly1; ly++) {
      const src = ly * GRID;
      const dst = (ly - ly0) * regionW - ox0;
      for (let ox = ox0; ox <= ox1; ox++) {
        const k = ox * ax.maxSize;
        const s = src + ax.start[ox];
        let acc = 0;
        for (let j = 0; j < ax.size[ox]; j++) acc += ax.weights[k + j] * plane[s + j];
        rowPass[dst + ox] = acc;
      }
    }

    let high = 0;
    let union = 0;
    let area = 0;
    let minX = width;
    let maxX = -1;
    let minY = height;
    let maxY = -1;
    for (let ox = ox0; ox <= ox1; ox++) {
      const c = ox - ox0;
      for (let oy = oy0; oy <= oy1; oy++) {
        const k = oy * ay.maxSize;
        const r = (ay.start[oy] - ly0) * regionW + c;
        let acc = 0;
        for (let j = 0; j < ay.size[oy]; j++) acc += ay.weights[k + j] * rowPass[r + j * regionW];
        if (acc > low) union++;
        if (acc > offset) high++;
        if (acc > 0) {
          area++;
          if (ox < minX) minX = ox;
          maxX = ox;
          if (oy < minY) minY = oy;
          if (oy > maxY) maxY = oy;
        }
      }
    }
    return {
      stability: union === 0 ? Number.NaN : Math.fround(high / union),
      area,
      box: area === 0 ? [0, 0, 0, 0] : [minX, minY, maxX, maxY],
    };
  }

  return { measure };
}
