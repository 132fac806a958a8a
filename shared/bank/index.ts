// Reference memory bank math (spec/method.md §1.2–§2): crop, soft patch weights, DINOv2 input,
// instance means and class prototypes. The DINOv2 run itself lives in gpu-node.
export { cropImage518 } from './crop-image.ts';
export { BankArgumentError } from './errors.ts';
export { checkCropFits, DEFAULT_CONTEXT_RATIO, PATCH_GRID, REFERENCE_SIZE, referenceCrop } from './geometry.ts';
export type { ReferenceCrop } from './geometry.ts';
export { instanceMean } from './instance-mean.ts';
export { imagenetNormalize } from './normalize.ts';
export { prototypes } from './prototypes.ts';
export type { Prototypes } from './prototypes.ts';
export { prepareReference } from './reference.ts';
export type { PreparedReference } from './reference.ts';
export { cropMask, softWeights37 } from './soft-weights.ts';
export type { SoftWeights } from './soft-weights.ts';
