// The official few_shot_sampling.py `sample_memory_dataset` (spec/method.md §6), including the
// order in which it consumes CPython's random stream, so the same seed gives the same references.
import { CocoIndex } from '../coco-eval/coco-index.ts';
import type { CocoDataset } from '../coco-eval/types.ts';
import { resolveCategoryIds } from './class-splits.ts';
import { NotEnoughReferencesError, RandomArgumentError, type SampledClass } from './errors.ts';
import { Mt19937 } from './mt19937.ts';
import { isValidReference } from './validity.ts';

export interface FewShotOptions {
  /** `random.seed(seed)` before sampling (ignored when `rng` is given). */
  seed?: number | bigint;
  /** A generator to draw from instead, continuing its stream. */
  rng?: Mt19937;
  nShot: number;
  /** Classes by category id… */
  categoryIds?: readonly number[];
  /** …or by exact category name (unknown names are an error listing close names). */
  classNames?: readonly string[];
  /** Drop annotations marked `isimpossible: 1` (the official COCO and VOC runs do). Default true. */
  removeBad?: boolean;
  /** LVIS variant: a class with no valid reference takes invalid ones instead. Default false. */
  allowInvalid?: boolean;
  /** LVIS variant: a short class repeats its references instead of failing. Default false. */
  allowDuplicates?: boolean;
}

function selectedCategories(index: CocoIndex, options: FewShotOptions): Set<number> {
  if ((options.categoryIds === undefined) === (options.classNames === undefined)) {
    throw new RandomArgumentError('give exactly one of categoryIds and classNames');
  }
  if (options.categoryIds !== undefined) return new Set(options.categoryIds);
  return new Set(resolveCategoryIds(index.dataset.categories ?? [], options.classNames ?? []));
}

/**
 * Samples `nShot` references per class: classes in the order of their first annotation in the
 * file, each class's (image, annotation) list shuffled with the shared generator, then walked
 * keeping valid annotations on images not yet used for that class. Classes that are not selected
 * consume no random numbers. Throws NotEnoughReferencesError like the official ValueError.
 */
export function sampleFewShot(coco: CocoDataset | CocoIndex, options: FewShotOptions): SampledClass[] {
  const { nShot } = options;
  if (!Number.isSafeInteger(nShot) || nShot < 1) throw new RandomArgumentError(`nShot must be a positive integer, got ${nShot}`);
  const index = coco instanceof CocoIndex ? coco : new CocoIndex(coco);
  const wanted = selectedCategories(index, options);
  let rng = options.rng;
  if (rng === undefined) {
    if (options.seed === undefined) throw new RandomArgumentError('give a seed or an rng');
    rng = new Mt19937(options.seed);
  }
  const removeBad = options.removeBad ?? true;

  const groups = new Map<number, [imgId: number, annId: number][]>();
  for (const [annId, ann] of index.anns) {
    if (!wanted.has(ann.category_id)) continue;
    if (removeBad && ann.isimpossible === 1) continue;
    const list = groups.get(ann.category_id);
    if (list === undefined) groups.set(ann.category_id, [[ann.image_id, annId]]);
    else list.push([ann.image_id, annId]);
  }

  const done: SampledClass[] = [];
  for (const [categoryId, pairs] of groups) {
    rng.shuffle(pairs);
    const samples: SampledClass['samples'] = [];
    const invalid: SampledClass['samples'] = [];
    const usedImages = new Set<number>();
    for (const [imgId, annId] of pairs) {
      const img = index.imgs.get(imgId);
      const ann = index.anns.get(annId);
      if (img === undefined || ann === undefined || !isValidReference(ann, img)) {
        if (options.allowInvalid) invalid.push({ imgId, annIds: [annId] });
        continue;
      }
      if (usedImages.has(imgId)) continue;
      usedImages.add(imgId);
      samples.push({ imgId, annIds: [annId] });
      if (usedImages.size >= nShot) break;
    }
    let chosen = samples;
    if (usedImages.size < nShot) {
      if (chosen.length === 0 && options.allowInvalid) chosen = invalid.slice(0, nShot);
      if (!options.allowDuplicates || chosen.length === 0) {
        throw new NotEnoughReferencesError(categoryId, usedImages.size, nShot, done);
      }
      // Official order: append the first, second, … sample again until the class is full.
      const missing = nShot - chosen.length;
      for (let i = 0; i < missing; i++) chosen.push(chosen[i]);
    }
    done.push({ categoryId, samples: chosen });
  }
  return done;
}
