// Class colours that stay distinct from the objects' own colours: each class takes the palette
// colour farthest (in a perceptual RGB distance) from the mean colours of the objects it marks,
// so a red object is never outlined in red. Colours are assigned in label order and not reused
// while the palette lasts. White and black are left out: they read as "no colour", and the
// outlines already use them for contrast.
import { colourDistance, type Rgb } from '../../shared/render/rgb.ts';

export { colourDistance, type Rgb };

export const PALETTE: readonly Rgb[] = [
  [255, 32, 160], // magenta
  [0, 200, 255], // cyan
  [255, 176, 0], // amber
  [140, 60, 255], // violet
  [0, 230, 120], // spring green
  [255, 90, 40], // orange red
  [30, 90, 255], // blue
  [200, 255, 0], // lime
  [255, 140, 200], // pink
  [0, 150, 140], // teal
  [180, 120, 255], // lavender
];

/**
 * One colour per label in `labels` (ascending order decides who chooses first). `objectColours`
 * holds the mean colours of the pixels each label's detections cover; a label with none gets the
 * first free palette colour. Every label avoids every label's object colours.
 */
export function assignClassColours(labels: readonly number[], objectColours: ReadonlyMap<number, readonly Rgb[]>): Map<number, Rgb> {
  const avoid: Rgb[] = [...objectColours.values()].flat();
  const out = new Map<number, Rgb>();
  const used = new Set<number>();
  for (const label of [...labels].sort((a, b) => a - b)) {
    let best = -1;
    let bestScore = -Infinity;
    for (let i = 0; i < PALETTE.length; i++) {
      if (used.has(i) && used.size < PALETTE.length) continue;
      // Own objects count double: the outline must stand out from what it outlines first of all.
      const own = objectColours.get(label) ?? [];
      const near = Math.min(Infinity, ...own.map((c) => colourDistance(PALETTE[i], c) / 2), ...avoid.map((c) => colourDistance(PALETTE[i], c)));
      const score = Number.isFinite(near) ? near : -i;
      if (score > bestScore) {
        bestScore = score;
        best = i;
      }
    }
    used.add(best);
    out.set(label, PALETTE[best]);
  }
  return out;
}

/** Black or white text, whichever reads better on `bg` (WCAG relative luminance). */
export function textColourOn(bg: Rgb): string {
  const lin = (v: number) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  const l = 0.2126 * lin(bg[0]) + 0.7152 * lin(bg[1]) + 0.0722 * lin(bg[2]);
  return l > 0.179 ? '#000' : '#fff';
}

export const css = (c: Rgb, alpha = 1) => `rgba(${c[0]},${c[1]},${c[2]},${alpha})`;
