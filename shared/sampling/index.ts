export { Mt19937, seedKeyWords, type Mt19937State } from './mt19937.ts';
export { sampleFewShot, type FewShotOptions } from './few-shot.ts';
export { isValidReference, MIN_BORDER_GAP, MIN_REFERENCE_SIDE } from './validity.ts';
export {
  CLASS_SPLITS,
  COCO_20I_FOLDS,
  COCO_ALL_CLASSES,
  COCO_BASE_CLASSES,
  COCO_CATEGORIES,
  COCO_NOVEL_CLASSES,
  VOC_CLASSES,
  VOC_NOVEL_SPLITS,
  classSplit,
  closeClassNames,
  resolveCategoryIds,
} from './class-splits.ts';
export { NotEnoughReferencesError, RandomArgumentError, UnknownClassError, type SampledClass } from './errors.ts';
