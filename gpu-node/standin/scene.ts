// Synthetic test scenes for the stand-in models: flat-coloured discs and rectangles on a flat
// background, with their exact masks. Objects should be kept apart (and away from each other's
// windows) so the stand-in decoder's colour-similarity masks have one right answer.
export type Rgb = readonly [number, number, number];

export type SceneObject =
  | { kind: 'disc'; color: Rgb; cx: number; cy: number; r: number }
  | { kind: 'rect'; color: Rgb; x0: number; y0: number; x1: number; y1: number };

export interface Scene {
  width: number;
  height: number;
  /** width × height × 3 bytes, row-major RGB. */
  data: Uint8Array;
  /** One row-major 0/1 mask per object (later objects paint over earlier ones). */
  masks: Uint8Array[];
}

/** Pixel (x, y) covers [x, x+1)×[y, y+1); it belongs to an object when its centre does. */
function inside(o: SceneObject, x: number, y: number): boolean {
  const px = x + 0.5;
  const py = y + 0.5;
  if (o.kind === 'disc') return (px - o.cx) ** 2 + (py - o.cy) ** 2 <= o.r ** 2;
  return px >= o.x0 && px < o.x1 && py >= o.y0 && py < o.y1;
}

export function renderScene(width: number, height: number, background: Rgb, objects: readonly SceneObject[]): Scene {
  const data = new Uint8Array(width * height * 3);
  const owner = new Int32Array(width * height).fill(-1);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      objects.forEach((o, k) => {
        if (inside(o, x, y)) owner[y * width + x] = k;
      });
    }
  }
  const masks = objects.map(() => new Uint8Array(width * height));
  for (let i = 0; i < width * height; i++) {
    const k = owner[i];
    const color = k < 0 ? background : objects[k].color;
    data.set(color, i * 3);
    if (k >= 0) masks[k][i] = 1;
  }
  return { width, height, data, masks };
}
