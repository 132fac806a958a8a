import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { parseCocoDataset, parseCocoResults } from './schema.ts';

describe('COCO schemas', () => {
  const dataset = {
    info: { year: 2017 },
    images: [{ id: 1, width: 4, height: 3, license: 2 }],
    categories: [{ id: 1, name: 'a' }],
    annotations: [
      { id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 2, 2], area: 4, iscrowd: 0, segmentation: [[0, 0, 2, 0, 2, 2]] },
      { id: 2, image_id: 1, category_id: 1, bbox: [0, 0, 4, 3], area: 12, iscrowd: 1, segmentation: { size: [3, 4], counts: [0, 12] } },
    ],
  };

  it('accepts a COCO file and keeps extra members', () => {
    const d = parseCocoDataset(dataset);
    expect(d.images[0].license).toBe(2);
    expect(d.info).toEqual({ year: 2017 });
  });

  it('names the path of what is wrong', () => {
    const bad = structuredClone(dataset);
    (bad.annotations[1].segmentation as { counts: number[] }).counts = [0, 11];
    try {
      parseCocoDataset(bad);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).issues[0].path).toMatch(/^annotations\[1\]\.segmentation/);
    }
    expect(() => parseCocoResults([{ image_id: 1, category_id: 1, bbox: [0, 0, 1] }])).toThrow(ValidationError);
  });

  it('accepts results with a box and/or a compressed RLE', () => {
    const r = parseCocoResults([
      { image_id: 1, category_id: 1, score: 0.5, bbox: [0, 0, 1, 1] },
      { image_id: 1, category_id: 1, score: 0.5, segmentation: { size: [3, 4], counts: '<' } },
    ]);
    expect(r).toHaveLength(2);
  });
});
