// COCO annotation-file and result shapes, keyed exactly as the JSON is (snake_case), so files
// load without renaming. Extra members are kept and ignored.
import type { CocoSegmentation } from '../coco-mask/index.ts';

export type { CocoSegmentation, UncompressedRle } from '../coco-mask/index.ts';

export interface CocoImage {
  id: number;
  width: number;
  height: number;
  file_name?: string;
  [member: string]: unknown;
}

export interface CocoCategory {
  id: number;
  name: string;
  supercategory?: string;
  [member: string]: unknown;
}

export interface CocoAnnotation {
  id: number;
  image_id: number;
  category_id: number;
  bbox: number[];
  area: number;
  iscrowd?: number | boolean;
  segmentation?: CocoSegmentation;
  /** Set by some datasets (few-shot VOC/LVIS files); sampling may drop annotations with it = 1. */
  isimpossible?: number;
  [member: string]: unknown;
}

export interface CocoDataset {
  images: CocoImage[];
  annotations: CocoAnnotation[];
  categories: CocoCategory[];
  info?: unknown;
  [member: string]: unknown;
}

/** One detection in COCO results format. */
export interface CocoResult {
  image_id: number;
  category_id: number;
  score: number;
  bbox?: number[];
  segmentation?: CocoSegmentation;
  [member: string]: unknown;
}

export type IouType = 'bbox' | 'segm';
