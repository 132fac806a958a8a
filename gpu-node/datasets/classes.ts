// Which classes a command works on (`--classes`): a built-in split by its short or official name,
// `all` (every category of the file), or class names separated by commas.
import type { CocoDataset } from '../../shared/coco-eval/index.ts';
import { classSplit, resolveCategoryIds } from '../../shared/sampling/index.ts';

/** Short names of the built-in splits → their names in the official scripts. */
export const SPLIT_ALIASES: Readonly<Record<string, string>> = {
  'coco-novel': 'few_shot_classes',
  'coco-all': 'default_classes',
  'coco-base': 'coco_base_classes',
  'voc-1': 'pascal_voc_split_1',
  'voc-2': 'pascal_voc_split_2',
  'voc-3': 'pascal_voc_split_3',
  'coco-20i-1': 'coco_semantic_split_1',
  'coco-20i-2': 'coco_semantic_split_2',
  'coco-20i-3': 'coco_semantic_split_3',
  'coco-20i-4': 'coco_semantic_split_4',
};

export const ALL_CLASSES = 'all';

/** Class names a `--classes` value stands for (split names first, so a split wins over a class called the same). */
export function classNames(spec: string, dataset: Pick<CocoDataset, 'categories'>): string[] {
  if (spec === ALL_CLASSES) return dataset.categories.map((c) => c.name);
  const split = classSplit(SPLIT_ALIASES[spec] ?? spec);
  if (split !== undefined) return [...split];
  return spec
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
}

/**
 * Category ids of a `--classes` value, in the file's category order. Every name must be a category
 * of the file: an unknown one is an UnknownClassError that lists close names.
 */
export function selectCategoryIds(spec: string, dataset: Pick<CocoDataset, 'categories'>): number[] {
  return resolveCategoryIds(dataset.categories, classNames(spec, dataset));
}
