// Synthetic but realistic post-model inputs: SAM-like low-res logits of overlapping blobs of
// varied sizes (objects, their duplicates and parts, thin strips, background pieces), DINOv2-like
// patch features with a shared component and per-object directions, and class prototypes.
// Seeded, so benchmarks and tests see the same scene every run.
import type { PatchFeatures } from '../../shared/matching/index.ts';

/** mulberry32: small, fast, good enough for test data. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

const GRID = 256;

export interface Blob {
  cx: number;
  cy: number;
  rx: number;
  ry: number;
  /** Rotation in radians. */
  angle: number;
  /** Boundary wobble amplitude (fraction of the radius) and frequency. */
  wobble: number;
  lobes: number;
}

/** A SAM-like logit map of one blob: ~+12 inside, ~−12 far outside, smooth across the edge. */
export function writeBlobLogits(out: Float32Array, offset: number, blob: Blob): void {
  const cos = Math.cos(blob.angle);
  const sin = Math.sin(blob.angle);
  for (let y = 0; y < GRID; y++) {
    for (let x = 0; x < GRID; x++) {
      const dx = x + 0.5 - blob.cx;
      const dy = y + 0.5 - blob.cy;
      const u = (dx * cos + dy * sin) / blob.rx;
      const v = (-dx * sin + dy * cos) / blob.ry;
      const r = Math.sqrt(u * u + v * v);
      const edge = 1 + blob.wobble * Math.sin(blob.lobes * Math.atan2(v, u));
      const logit = 8 * (edge - r) * Math.min(blob.rx, blob.ry) * 0.25;
      out[offset + y * GRID + x] = Math.max(-12, Math.min(12, logit));
    }
  }
}

function randomBlob(rand: () => number, around?: Blob, scale = 1): Blob {
  if (around) {
    return {
      cx: around.cx + gaussian(rand) * around.rx * 0.15,
      cy: around.cy + gaussian(rand) * around.ry * 0.15,
      rx: Math.max(1.5, around.rx * scale * (0.9 + 0.2 * rand())),
      ry: Math.max(1.5, around.ry * scale * (0.9 + 0.2 * rand())),
      angle: around.angle + gaussian(rand) * 0.1,
      wobble: around.wobble,
      lobes: around.lobes,
    };
  }
  // Log-uniform radii: many small objects, some large ones.
  const r = Math.exp(Math.log(3) + rand() * (Math.log(80) - Math.log(3)));
  const aspect = Math.exp(gaussian(rand) * 0.5);
  return {
    cx: rand() * GRID,
    cy: rand() * GRID,
    rx: r * aspect,
    ry: r / aspect,
    angle: rand() * Math.PI,
    wobble: 0.05 + 0.15 * rand(),
    lobes: 2 + Math.floor(rand() * 5),
  };
}

export interface SyntheticScene {
  lowResLogits: Float32Array;
  iou: Float32Array;
  features: PatchFeatures;
  prototypes: Float32Array[];
  height: number;
  width: number;
  blobs: Blob[];
}

export interface SceneOptions {
  proposals: number;
  dim: number;
  classes: number;
  height: number;
  width: number;
  seed: number;
}

/**
 * About one object per 4 proposals; each object is proposed whole several times (SAM's point
 * grid hits it repeatedly), in parts, and sometimes as a union with a neighbour.
 */
export function syntheticScene(o: SceneOptions): SyntheticScene {
  const rand = seededRandom(o.seed);
  const objects = Array.from({ length: Math.max(1, Math.round(o.proposals / 4)) }, () => randomBlob(rand));
  const blobs: Blob[] = [];
  for (let i = 0; i < o.proposals; i++) {
    const obj = objects[Math.floor(rand() * objects.length)];
    const kind = rand();
    if (kind < 0.6) blobs.push(randomBlob(rand, obj, 1));
    else if (kind < 0.9) blobs.push(randomBlob(rand, { ...obj, cx: obj.cx + (rand() - 0.5) * obj.rx, cy: obj.cy + (rand() - 0.5) * obj.ry }, 0.45));
    else blobs.push(randomBlob(rand, obj, 1.8));
  }
  const lowResLogits = new Float32Array(o.proposals * GRID * GRID);
  blobs.forEach((b, i) => writeBlobLogits(lowResLogits, i * GRID * GRID, b));

  // Distinct IoUs in (0.4, 1).
  const iou = Float32Array.from({ length: o.proposals }, (_, i) => Math.fround(0.4 + 0.59 * ((i * 0.6180339887 + rand() * 1e-3) % 1) + 1e-4));

  const rows = 37;
  const cols = 37;
  const shared = Float32Array.from({ length: o.dim }, () => gaussian(rand));
  const classDirs = Array.from({ length: o.classes }, () => Float32Array.from({ length: o.dim }, () => gaussian(rand)));
  const objectClass = objects.map(() => Math.floor(rand() * o.classes));
  const data = new Float32Array(rows * cols * o.dim);
  for (let a = 0; a < rows; a++) {
    for (let b = 0; b < cols; b++) {
      // The object whose ellipse covers this patch centre (256-grid units), if any.
      const px = ((b + 0.5) * GRID) / cols;
      const py = ((a + 0.5) * GRID) / rows;
      const owner = objects.findIndex((obj) => ((px - obj.cx) / obj.rx) ** 2 + ((py - obj.cy) / obj.ry) ** 2 < 1);
      const dir = owner >= 0 ? classDirs[objectClass[owner]] : null;
      const off = (a * cols + b) * o.dim;
      for (let k = 0; k < o.dim; k++) data[off + k] = shared[k] + (dir ? 1.5 * dir[k] : 0) + 0.8 * gaussian(rand);
    }
  }
  const prototypes = classDirs.map((dir) => Float32Array.from(dir, (d, k) => shared[k] + 1.5 * d + 0.3 * gaussian(rand)));
  return { lowResLogits, iou, features: { data, rows, cols, dim: o.dim }, prototypes, height: o.height, width: o.width, blobs };
}
