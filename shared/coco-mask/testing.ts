// Mask generators and pixel-by-pixel reference answers for this module's unit tests: each
// reference is the plain definition (walk every pixel), independent of the run-based code.

/** Small deterministic PRNG (mulberry32), so failures reproduce. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Row-major mask with each pixel foreground with probability p. */
export function noiseMask(h: number, w: number, p: number, rand: () => number): Uint8Array {
  const m = new Uint8Array(h * w);
  for (let i = 0; i < m.length; i++) m[i] = rand() < p ? 1 : 0;
  return m;
}

/** Union of random ellipses (and, with holes, minus smaller ones): blob-like shapes with holes. */
export function blobMask(h: number, w: number, rand: () => number, holes = true): Uint8Array {
  const m = new Uint8Array(h * w);
  const shapes = 1 + Math.floor(rand() * 4);
  for (let s = 0; s < shapes * (holes ? 2 : 1); s++) {
    const cx = rand() * w;
    const cy = rand() * h;
    const carve = holes && s % 2 === 1;
    const rx = (carve ? 0.1 : 0.3) * w * (0.2 + rand());
    const ry = (carve ? 0.1 : 0.3) * h * (0.2 + rand());
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        if (((x + 0.5 - cx) / rx) ** 2 + ((y + 0.5 - cy) / ry) ** 2 < 1) m[y * w + x] = carve ? 0 : 1;
      }
    }
  }
  return m;
}

/** Column-major runs of a row-major mask, by visiting every pixel (the definition of COCO RLE). */
export function referenceRuns(mask: Uint8Array, h: number, w: number): number[] {
  const runs: number[] = [];
  let value = 0;
  let run = 0;
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) {
      const v = mask[y * w + x] !== 0 ? 1 : 0;
      if (v !== value) {
        runs.push(run);
        run = 0;
        value = v;
      }
      run++;
    }
  }
  runs.push(run);
  return runs;
}

export function pixelCountOf(mask: Uint8Array): number {
  let n = 0;
  for (const v of mask) if (v !== 0) n++;
  return n;
}

export function pixelAnd(a: Uint8Array, b: Uint8Array): Uint8Array {
  return a.map((v, i) => (v !== 0 && b[i] !== 0 ? 1 : 0));
}

export function pixelOr(a: Uint8Array, b: Uint8Array): Uint8Array {
  return a.map((v, i) => (v !== 0 || b[i] !== 0 ? 1 : 0));
}

/** Number of 4-connected foreground components (flood fill). */
export function components4(mask: Uint8Array, h: number, w: number): number {
  const seen = new Uint8Array(h * w);
  const stack: number[] = [];
  let count = 0;
  for (let i = 0; i < h * w; i++) {
    if (mask[i] === 0 || seen[i]) continue;
    count++;
    seen[i] = 1;
    stack.push(i);
    while (stack.length > 0) {
      const p = stack.pop() as number;
      const x = p % w;
      const y = (p - x) / w;
      const next = [x > 0 ? p - 1 : -1, x < w - 1 ? p + 1 : -1, y > 0 ? p - w : -1, y < h - 1 ? p + w : -1];
      for (const q of next) {
        if (q >= 0 && mask[q] !== 0 && !seen[q]) {
          seen[q] = 1;
          stack.push(q);
        }
      }
    }
  }
  return count;
}

/** Index of the first element where two sequences differ (or the shorter length), -1 if equal. */
export function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}
