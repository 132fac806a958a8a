// The reference-set file of `refseg sample`. Two spellings of the official pkl
// (`{cat_id: [{'img_id', 'ann_ids'}]}`, an OrderedDict in sampling order):
// - `dict`: the text Python's `json.dumps(pkl)` writes — keys in the pkl's order, Python's
//   separators — so it can be compared byte for byte with an exported official pkl;
// - `list`: `[{category_id, samples: [{img_id, ann_ids}]}]`, which keeps the pkl's order through
//   JSON readers that reorder integer keys (JavaScript's do).
// Both are read back; building a bank does not depend on the order (labels follow category ids).
import { z } from 'zod';
import type { SampledClass } from '../../shared/sampling/index.ts';

export type SampleFormat = 'dict' | 'list';

const EntrySchema = z.strictObject({
  img_id: z.number().int(),
  ann_ids: z.array(z.number().int()).min(1).describe('Only the first id is used, as the official memory fill does.'),
});

const SampleDictSchema = z.record(z.string().regex(/^-?\d+$/, 'a category id'), z.array(EntrySchema));
const SampleListSchema = z.array(z.strictObject({ category_id: z.number().int(), samples: z.array(EntrySchema) }));
export const SampleFileSchema = z.union([SampleListSchema, SampleDictSchema]).describe('Sampled references per category.');

function pyEntry(s: SampledClass['samples'][number]): string {
  return `{"img_id": ${s.imgId}, "ann_ids": [${s.annIds.join(', ')}]}`;
}

export function formatSamples(classes: readonly SampledClass[], format: SampleFormat): string {
  if (format === 'dict') {
    return `{${classes.map((c) => `"${c.categoryId}": [${c.samples.map(pyEntry).join(', ')}]`).join(', ')}}\n`;
  }
  const list = classes.map((c) => ({ category_id: c.categoryId, samples: c.samples.map((s) => ({ img_id: s.imgId, ann_ids: s.annIds })) }));
  return `${JSON.stringify(list)}\n`;
}

export function samplesFromFile(file: z.output<typeof SampleFileSchema>): SampledClass[] {
  const toSamples = (entries: z.output<typeof EntrySchema>[]) => entries.map((e) => ({ imgId: e.img_id, annIds: e.ann_ids }));
  if (Array.isArray(file)) return file.map((c) => ({ categoryId: c.category_id, samples: toSamples(c.samples) }));
  return Object.entries(file).map(([id, entries]) => ({ categoryId: Number(id), samples: toSamples(entries) }));
}
