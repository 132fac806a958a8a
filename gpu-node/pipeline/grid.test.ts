import { describe, expect, it } from 'vitest';
import { amgGrid, imageToInput, numpyLinspace, officialGrid, torchLinspaceF32 } from './grid.ts';

describe('officialGrid', () => {
  const g = officialGrid(32);

  it('has 1024 points at 33·i + 0.5, x the slow index (meshgrid ij stacked as x, y)', () => {
    expect(g.length).toBe(2048);
    for (let k = 0; k < 1024; k++) {
      expect(g[2 * k]).toBe(33 * Math.floor(k / 32) + 0.5);
      expect(g[2 * k + 1]).toBe(33 * (k % 32) + 0.5);
    }
  });

  it('reaches the far border: the prompt encoder sees (33·i + 1) / 1024, the last exactly 1', () => {
    expect((g[2 * 1023] + 0.5) / 1024).toBe(1);
    expect((g[2 * 1023 + 1] + 0.5) / 1024).toBe(1);
    expect((g[2 * 33] + 0.5) / 1024).toBe(34 / 1024);
    expect(g[2 * 33 + 1]).toBe(33.5);
  });

  it('uses torch float32 linspace for other sizes (first half up from 0, second half down from 1023)', () => {
    const lin = torchLinspaceF32(0, 1023, 10);
    const step = Math.fround(1023 / 9);
    expect(lin[0]).toBe(0);
    expect(lin[4]).toBe(Math.fround(Math.fround(step * 4)));
    expect(lin[9]).toBe(1023);
    expect(lin[5]).toBe(Math.fround(1023 - Math.fround(step * 4)));
    const small = officialGrid(10);
    expect(small[2 * 10]).toBe(Math.fround(lin[1] + 0.5));
    expect(small[2 * 10 + 1]).toBe(0.5);
  });
});

describe('amgGrid', () => {
  it('puts the 32² full-image grid at 32·i + 16 with x the fast index, for any image size', () => {
    for (const [w, h] of [
      [640, 480],
      [333, 1001],
      [7, 5],
    ]) {
      const g = amgGrid(32, w, h);
      for (let k = 0; k < 1024; k++) {
        expect(g[2 * k]).toBe(32 * (k % 32) + 16);
        expect(g[2 * k + 1]).toBe(32 * Math.floor(k / 32) + 16);
      }
    }
  });

  it('follows numpy linspace and float32 coordinate mapping for other sizes', () => {
    const side = numpyLinspace(1 / 14, 1 - 1 / 14, 7);
    expect(side[6]).toBe(1 - 1 / 14);
    expect(side[3]).toBeCloseTo(0.5, 15);
    const g = amgGrid(7, 300, 200);
    expect(g[2 * 8]).toBe(imageToInput(side[1] * 300, 300));
    expect(g[2 * 8 + 1]).toBe(imageToInput(side[1] * 200, 200));
    expect(g[2 * 8]).toBeCloseTo((1024 * 3) / 14, 3);
  });
});
