// Public entry of image decoding and model-input preprocessing.
export { DEFAULT_MAX_PIXELS, decodeImage } from './decode.ts';
export type { DecodeOptions, DecodedImage } from './decode.ts';
export { DINO_SIZE, SAM_SIZE, dinoPixels, samPixels, stretchTo1024, targetInputs, unitChw } from './tensors.ts';
export type { RgbImage, TargetInputs } from './tensors.ts';
