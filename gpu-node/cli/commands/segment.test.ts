import { describe, expect, it } from 'vitest';
import { UsageError } from '../command.ts';
import { parseArgs } from 'node:util';
import { pairReferences, segment } from './segment.ts';

describe('pairReferences', () => {
  it('pairs the repeated options by position', () => {
    expect(pairReferences(['a.jpg', 'b.jpg'], ['cup', 'box'], ['a.png', 'b.json'], [])).toEqual([
      { image: 'a.jpg', className: 'cup', mask: 'a.png' },
      { image: 'b.jpg', className: 'box', mask: 'b.json' },
    ]);
    expect(pairReferences(['a.jpg'], ['cup'], [], ['1,2,3,4'])).toEqual([{ image: 'a.jpg', className: 'cup', box: '1,2,3,4' }]);
  });

  it('reads "-" as "none for this reference" when masks and boxes are mixed, and keeps both when both are given', () => {
    expect(pairReferences(['a', 'b', 'c'], ['x', 'y', 'x'], ['a.png', '-', 'c.png'], ['-', '5,5,10,10', '0,0,9,9'])).toEqual([
      { image: 'a', className: 'x', mask: 'a.png' },
      { image: 'b', className: 'y', box: '5,5,10,10' },
      { image: 'c', className: 'x', mask: 'c.png', box: '0,0,9,9' },
    ]);
  });

  it('says which counts disagree or which reference lacks a mask and a box', () => {
    expect(() => pairReferences([], [], [], [])).toThrow(UsageError);
    expect(() => pairReferences(['a', 'b'], ['x'], ['m', 'n'], [])).toThrow('2 --ref but 1 --ref-class');
    expect(() => pairReferences(['a', 'b'], ['x', 'y'], ['m'], [])).toThrow('2 --ref but 1 --ref-mask');
    expect(() => pairReferences(['a', 'b'], ['x', 'y'], ['m', '-'], [])).toThrow('Reference 2 (b) has neither --ref-mask nor --ref-box');
  });

  it('accepts the example its own --help shows (it once mixed masks and boxes without "-")', () => {
    for (const example of segment.examples ?? []) {
      const { values } = parseArgs({
        args: example.split(' ').slice(2),
        options: { ref: { type: 'string', multiple: true }, 'ref-class': { type: 'string', multiple: true }, 'ref-mask': { type: 'string', multiple: true }, 'ref-box': { type: 'string', multiple: true } },
        strict: false,
      });
      const list = (k: string) => (values[k] as string[] | undefined) ?? [];
      expect(pairReferences(list('ref'), list('ref-class'), list('ref-mask'), list('ref-box')).length).toBeGreaterThan(0);
    }
  });
});
