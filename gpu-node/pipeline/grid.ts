// Point prompts of the two proposal presets, as x, y pairs in SAM2's 1024×1024 input space in the
// form the models layer takes them: before the prompt encoder's own +0.5 (gpu-node/models).
//
// official (spec/method.md §3.3 step 3): lin = torch.linspace(0, 1023, n) in float32; meshgrid 'ij'
//   stacked as (x, y) makes x the slow index: point k = (lin[k / n], lin[k % n]); the official code
//   adds 0.5 to both before the prompt encoder adds its own 0.5. For n = 32, lin = 33·i exactly.
// sam2-amg (spec/models.md §2.3 steps 1 and 3): build_point_grid(n) = numpy linspace(1/2n, 1−1/2n, n)
//   with x the fast index, scaled by the image size, then mapped by SAM2's transform_coords
//   (float32: / size · 1024). For n = 32 that is 32·i + 16 exactly, whatever the image size.
const SIDE = 1024;
const f32 = Math.fround;

/** torch.linspace(start, end, steps) on float32 (ATen CPU kernel: first half counts up from start, second half down from end). */
export function torchLinspaceF32(start: number, end: number, steps: number): Float32Array {
  const out = new Float32Array(steps);
  if (steps === 1) {
    out[0] = start;
    return out;
  }
  const step = f32(f32(end - start) / (steps - 1));
  const halfway = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) out[i] = i < halfway ? f32(start + f32(step * i)) : f32(end - f32(step * (steps - i - 1)));
  return out;
}

/** numpy.linspace(start, stop, num) in float64: arange · step + start, the last value set to stop. */
export function numpyLinspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  if (num === 1) {
    out[0] = start;
    return out;
  }
  const step = (stop - start) / (num - 1);
  for (let i = 0; i < num; i++) out[i] = i * step + start;
  out[num - 1] = stop;
  return out;
}

/** An image coordinate (pixels of a `size`-pixel side) in SAM2's 1024 input space, in float32 as SAM2's transform_coords. */
export function imageToInput(v: number, size: number): number {
  return f32(f32(f32(v) / size) * SIDE);
}

/** The official grid: n² points, x slow, each coordinate lin[i] + 0.5. */
export function officialGrid(n: number): Float32Array {
  const lin = torchLinspaceF32(0, SIDE - 1, n);
  const points = new Float32Array(2 * n * n);
  for (let k = 0; k < n * n; k++) {
    points[2 * k] = f32(lin[Math.floor(k / n)] + 0.5);
    points[2 * k + 1] = f32(lin[k % n] + 0.5);
  }
  return points;
}

/** SAM2AutomaticMaskGenerator's full-image grid for an image of width × height: n² points, x fast. */
export function amgGrid(n: number, width: number, height: number): Float32Array {
  const offset = 1 / (2 * n);
  const side = numpyLinspace(offset, 1 - offset, n);
  const points = new Float32Array(2 * n * n);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const k = y * n + x;
      points[2 * k] = imageToInput(side[x] * width, width);
      points[2 * k + 1] = imageToInput(side[y] * height, height);
    }
  }
  return points;
}
