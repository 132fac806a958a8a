// `refseg sample`: the official few-shot reference sets (few_shot_sampling.py, spec/method.md §6),
// drawn with CPython's generator so a seed gives the paper's very references.
import { writeFile } from 'node:fs/promises';
import { NotEnoughReferencesError, sampleFewShot } from '../../../shared/sampling/index.ts';
import { selectCategoryIds, SPLIT_ALIASES } from '../../datasets/classes.ts';
import { DatasetError } from '../../datasets/errors.ts';
import { readCocoFile } from '../../datasets/json-file.ts';
import { formatSamples } from '../../datasets/sample-file.ts';
import type { SampleFormat } from '../../datasets/sample-file.ts';
import { UsageError, defineCommand, intOption } from '../command.ts';

/** CPython seeds with any integer (its absolute value); beyond 2^53 it is kept exact as a bigint. */
function seedOption(value: string): number | bigint {
  if (!/^-?\d+$/.test(value)) throw new UsageError(`--seed must be an integer, not "${value}".`);
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : BigInt(value);
}

export const sample = defineCommand({
  name: 'sample',
  summary: 'Sample few-shot reference sets exactly as the paper did',
  description:
    'Reproduces the official few_shot_sampling.py: classes in the order of their first annotation, each class\'s (image, annotation) ' +
    'list shuffled with CPython\'s Mersenne Twister seeded by --seed, then the first valid annotations on distinct images ' +
    '(not crowd, box at least 32×32, at least 10 px from every border). Writes {cat_id: [{img_id, ann_ids}]} in the official ' +
    'key order, as Python\'s json.dumps of the official pkl would (--format list keeps that order for JSON readers that sort keys). ' +
    `Class splits: ${Object.keys(SPLIT_ALIASES).join(', ')} (or the official names few_shot_classes, pascal_voc_split_1, …), ` +
    '"all", or class names separated by commas.',
  options: {
    coco: { type: 'string', valueName: 'instances.json', description: 'COCO annotation file to sample from (required)' },
    shots: { type: 'string', valueName: 'n', description: 'References per class (required)' },
    seed: { type: 'string', valueName: 'n', default: '33', description: 'Seed of the random generator (the paper: 33)' },
    classes: { type: 'string', valueName: 'split|names', default: 'all', description: 'Class split or comma-separated class names' },
    out: { type: 'string', short: 'o', valueName: 'file', description: 'Write here (default: standard output)' },
    format: { type: 'string', valueName: 'dict|list', default: 'dict', description: 'dict: {cat_id: [...]}; list: [{category_id, samples}]' },
    'allow-invalid': { type: 'boolean', description: 'LVIS variant: a class without valid references takes invalid ones' },
    'allow-duplicates': { type: 'boolean', description: 'LVIS variant: a short class repeats its references instead of failing' },
    'keep-impossible': { type: 'boolean', description: 'Keep annotations marked isimpossible (dropped by the official COCO and VOC runs)' },
  },
  examples: [
    'refseg sample --coco instances_train2017.json --shots 30 --seed 33 --classes coco-novel -o few_shot_30shot_seed33.json',
    'refseg sample --coco voc_trainval.json --shots 10 --seed 1 --classes voc-1 --format list',
  ],
  async run(ctx) {
    const { coco, out } = ctx.values;
    if (coco === undefined) throw new UsageError('--coco <instances.json> is required.');
    const nShot = intOption(ctx.values.shots, '--shots', 1);
    if (nShot === undefined) throw new UsageError('--shots <n> is required.');
    const seed = seedOption(ctx.values.seed);
    const format = ctx.values.format as SampleFormat;
    if (format !== 'dict' && format !== 'list') throw new UsageError(`--format must be dict or list, not "${ctx.values.format}".`);

    const dataset = await readCocoFile(coco);
    const categoryIds = selectCategoryIds(ctx.values.classes, dataset);
    let sampled;
    try {
      sampled = sampleFewShot(dataset, {
        seed,
        nShot,
        categoryIds,
        removeBad: ctx.values['keep-impossible'] !== true,
        allowInvalid: ctx.values['allow-invalid'] === true,
        allowDuplicates: ctx.values['allow-duplicates'] === true,
      });
    } catch (err) {
      if (!(err instanceof NotEnoughReferencesError)) throw err;
      const name = dataset.categories.find((c) => c.id === err.categoryId)?.name ?? String(err.categoryId);
      throw new DatasetError(`${err.detail}: "${name}" has ${err.found} usable references, ${err.needed} needed (nothing written).`, { cause: err });
    }
    const missing = categoryIds.filter((id) => !sampled.some((c) => c.categoryId === id));
    const text = formatSamples(sampled, format);
    if (out === undefined) ctx.stdout.write(text);
    else await writeFile(out, text);
    const note = missing.length > 0 ? ` (${missing.length} of the chosen classes have no annotation and are absent)` : '';
    ctx.stderr.write(`Sampled ${nShot} references for each of ${sampled.length} classes with seed ${seed}${note}${out === undefined ? '' : ` → ${out}`}\n`);
  },
});
