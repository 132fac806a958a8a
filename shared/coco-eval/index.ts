export { CocoIndex, type AnnFilter, type CatFilter } from './coco-index.ts';
export { loadRes } from './load-results.ts';
export { defaultParams, linspace, normalizeParams, type EvalParams } from './params.ts';
export { evaluate, type EvalImage, type Evaluation } from './evaluate.ts';
export { accumulate, type Accumulated } from './accumulate.ts';
export { perCategoryAp, summarize, type Summary } from './summarize.ts';
export { runCocoEval, type CocoEvalReport } from './coco-eval.ts';
export { numpyMean, numpySum } from './numpy-mean.ts';
export { formatFixed } from './python-format.ts';
export { CocoInputError } from './errors.ts';
export type { CocoAnnotation, CocoCategory, CocoDataset, CocoImage, CocoResult, CocoSegmentation, IouType, UncompressedRle } from './types.ts';
export {
  semanticMiou,
  semanticMiouFromCoco,
  type SemanticImage,
  type SemanticInstance,
  type SemanticMiouOptions,
  type SemanticMiouResult,
} from './semantic-miou.ts';
export {
  CocoAnnotationSchema,
  CocoCategorySchema,
  CocoDatasetSchema,
  CocoImageSchema,
  CocoResultSchema,
  CocoResultsSchema,
  parseCocoDataset,
  parseCocoResults,
} from './schema.ts';
