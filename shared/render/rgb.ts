// Colours of the overlay drawing code: 8-bit sRGB triples.
export type Rgb = readonly [number, number, number];

/** A perceptually weighted distance ("redmean"), good enough to tell colours apart. */
export function colourDistance(a: Rgb, b: Rgb): number {
  const rm = (a[0] + b[0]) / 2;
  const dr = a[0] - b[0];
  const dg = a[1] - b[1];
  const db = a[2] - b[2];
  return Math.sqrt((2 + rm / 256) * dr * dr + 4 * dg * dg + (2 + (255 - rm) / 256) * db * db);
}

/** Relative luminance 0..1 (sRGB weights, no gamma), to pick black or white text. */
export function luminance(c: Rgb): number {
  return (0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]) / 255;
}
