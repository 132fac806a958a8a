import { describe, expect, it } from 'vitest';
import { drawable, drawText, GLYPH_HEIGHT, GLYPH_WIDTH, textHeight, textWidth } from './bitmap-font.ts';

const ASCII = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');

/** The ink of one character drawn alone at scale 1, as a 5×8 string of 0/1. */
function ink(ch: string, scale = 1): string {
  const w = GLYPH_WIDTH * scale;
  const h = GLYPH_HEIGHT * scale;
  const rgb = new Uint8Array((w + 2) * (h + 2) * 3);
  drawText(rgb, w + 2, h + 2, 1, 1, ch, [255, 255, 255], scale);
  let bits = '';
  for (let i = 0; i < (w + 2) * (h + 2); i++) bits += rgb[3 * i] === 255 ? '1' : '0';
  return bits;
}

describe('bitmap font', () => {
  it('draws every printable ASCII character, each with its own shape, inside its 5×8 cell', () => {
    expect(drawable(ASCII)).toBe(ASCII);
    const shapes = new Map<string, string>();
    for (const ch of ASCII) {
      const bits = ink(ch);
      const w = GLYPH_WIDTH + 2;
      // The one-pixel frame around the cell stays empty.
      for (let i = 0; i < bits.length; i++) {
        const [x, y] = [i % w, Math.floor(i / w)];
        if (x === 0 || y === 0 || x === w - 1 || y === GLYPH_HEIGHT + 1) expect(bits[i], `${JSON.stringify(ch)} outside its cell`).toBe('0');
      }
      if (ch !== ' ') expect(bits.includes('1'), JSON.stringify(ch)).toBe(true);
      expect(shapes.get(bits), `${JSON.stringify(ch)} looks like ${JSON.stringify(shapes.get(bits))}`).toBeUndefined();
      shapes.set(bits, ch);
    }
  });

  it('replaces characters it has no glyph for, and measures text', () => {
    expect(drawable('café ☕')).toBe('caf? ?');
    expect(ink('é')).toBe(ink('?'));
    expect(textWidth('', 1)).toBe(0);
    expect(textWidth('ab', 1)).toBe(11);
    expect(textWidth('ab', 3)).toBe(33);
    expect(textHeight(2)).toBe(16);
  });

  it('scales each glyph pixel to a square, and clips at the image edge', () => {
    const one = ink('A');
    const two = ink('A', 2);
    const w1 = GLYPH_WIDTH + 2;
    const w2 = 2 * GLYPH_WIDTH + 2;
    for (let y = 0; y < GLYPH_HEIGHT; y++) {
      for (let x = 0; x < GLYPH_WIDTH; x++) {
        const v = one[(y + 1) * w1 + x + 1];
        for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) expect(two[(2 * y + dy + 1) * w2 + 2 * x + dx + 1]).toBe(v);
      }
    }
    const rgb = new Uint8Array(4 * 4 * 3);
    expect(() => drawText(rgb, 4, 4, -3, -5, 'WW', [9, 9, 9], 2)).not.toThrow();
  });
});
