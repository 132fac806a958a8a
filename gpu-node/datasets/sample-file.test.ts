import { describe, expect, it } from 'vitest';
import type { SampledClass } from '../../shared/sampling/index.ts';
import { formatSamples, SampleFileSchema, samplesFromFile } from './sample-file.ts';

const classes: SampledClass[] = [
  { categoryId: 16, samples: [{ imgId: 9, annIds: [90] }, { imgId: 4, annIds: [41] }] },
  { categoryId: 1, samples: [{ imgId: 7, annIds: [70, 71] }] },
];

describe('sample files', () => {
  it('dict: the text Python json.dumps writes for the pkl, keys in sampling order', () => {
    expect(formatSamples(classes, 'dict')).toBe(
      '{"16": [{"img_id": 9, "ann_ids": [90]}, {"img_id": 4, "ann_ids": [41]}], "1": [{"img_id": 7, "ann_ids": [70, 71]}]}\n',
    );
  });

  it('list: keeps the order through JSON.parse, which sorts integer keys of a dict', () => {
    const list = JSON.parse(formatSamples(classes, 'list'));
    expect(samplesFromFile(SampleFileSchema.parse(list))).toEqual(classes);
    const dict = samplesFromFile(SampleFileSchema.parse(JSON.parse(formatSamples(classes, 'dict'))));
    expect(dict.map((c) => c.categoryId)).toEqual([1, 16]);
    expect(dict.find((c) => c.categoryId === 16)).toEqual(classes[0]);
  });

  it('refuses entries without ann ids and keys that are not ids', () => {
    expect(SampleFileSchema.safeParse({ 1: [{ img_id: 1, ann_ids: [] }] }).success).toBe(false);
    expect(SampleFileSchema.safeParse({ cat: [] }).success).toBe(false);
  });
});
