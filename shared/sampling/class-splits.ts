// Named class splits and the resolver from class names to a dataset's category ids.
//
// Sources (facts checked against public code, not copied from it):
// - COCO 80 names and ids: cocodataset annotation files, as listed in
//   ucbdrive/few-shot-object-detection fsdet/data/builtin_meta.py (COCO_CATEGORIES, isthing=1).
// - COCO novel 20 ("few_shot_classes"), PASCAL VOC novel splits and the COCO-20i folds
//   ("coco_semantic_split_1..4"): miquel-espinosa/no-time-to-train
//   no_time_to_train/dataset/metainfo.py (METAINFO; VOC splits there are all-classes minus
//   seen-classes), spec/method.md §5.3.
// - VOC novel splits 1–3 agree with TFA, ucbdrive/few-shot-object-detection
//   fsdet/data/builtin_meta.py (PASCAL_VOC_NOVEL_CATEGORIES).
import type { CocoCategory } from '../coco-eval/types.ts';
import { UnknownClassError } from './errors.ts';

/** The 80 COCO thing categories as [id, name], in id order. */
export const COCO_CATEGORIES: readonly (readonly [id: number, name: string])[] = [
  [1, 'person'], [2, 'bicycle'], [3, 'car'], [4, 'motorcycle'], [5, 'airplane'], [6, 'bus'],
  [7, 'train'], [8, 'truck'], [9, 'boat'], [10, 'traffic light'], [11, 'fire hydrant'],
  [13, 'stop sign'], [14, 'parking meter'], [15, 'bench'], [16, 'bird'], [17, 'cat'], [18, 'dog'],
  [19, 'horse'], [20, 'sheep'], [21, 'cow'], [22, 'elephant'], [23, 'bear'], [24, 'zebra'],
  [25, 'giraffe'], [27, 'backpack'], [28, 'umbrella'], [31, 'handbag'], [32, 'tie'],
  [33, 'suitcase'], [34, 'frisbee'], [35, 'skis'], [36, 'snowboard'], [37, 'sports ball'],
  [38, 'kite'], [39, 'baseball bat'], [40, 'baseball glove'], [41, 'skateboard'],
  [42, 'surfboard'], [43, 'tennis racket'], [44, 'bottle'], [46, 'wine glass'], [47, 'cup'],
  [48, 'fork'], [49, 'knife'], [50, 'spoon'], [51, 'bowl'], [52, 'banana'], [53, 'apple'],
  [54, 'sandwich'], [55, 'orange'], [56, 'broccoli'], [57, 'carrot'], [58, 'hot dog'],
  [59, 'pizza'], [60, 'donut'], [61, 'cake'], [62, 'chair'], [63, 'couch'], [64, 'potted plant'],
  [65, 'bed'], [67, 'dining table'], [70, 'toilet'], [72, 'tv'], [73, 'laptop'], [74, 'mouse'],
  [75, 'remote'], [76, 'keyboard'], [77, 'cell phone'], [78, 'microwave'], [79, 'oven'],
  [80, 'toaster'], [81, 'sink'], [82, 'refrigerator'], [84, 'book'], [85, 'clock'], [86, 'vase'],
  [87, 'scissors'], [88, 'teddy bear'], [89, 'hair drier'], [90, 'toothbrush'],
];

export const COCO_ALL_CLASSES: readonly string[] = COCO_CATEGORIES.map(([, name]) => name);

/** The 20 COCO classes shared with PASCAL VOC: the novel set of COCO-FSOD (`few_shot_classes`). */
export const COCO_NOVEL_CLASSES: readonly string[] = [
  'person', 'bicycle', 'car', 'motorcycle', 'airplane', 'bus', 'train', 'boat', 'bird', 'cat',
  'dog', 'horse', 'sheep', 'cow', 'bottle', 'chair', 'couch', 'potted plant', 'dining table', 'tv',
];

export const COCO_BASE_CLASSES: readonly string[] = COCO_ALL_CLASSES.filter((n) => !COCO_NOVEL_CLASSES.includes(n));

/** PASCAL VOC class names as VOC spells them. */
export const VOC_CLASSES: readonly string[] = [
  'aeroplane', 'bicycle', 'bird', 'boat', 'bottle', 'bus', 'car', 'cat', 'chair', 'cow',
  'diningtable', 'dog', 'horse', 'motorbike', 'person', 'pottedplant', 'sheep', 'sofa', 'train', 'tvmonitor',
];

export const VOC_NOVEL_SPLITS: Readonly<Record<1 | 2 | 3, readonly string[]>> = {
  1: ['bird', 'bus', 'cow', 'motorbike', 'sofa'],
  2: ['aeroplane', 'bottle', 'cow', 'horse', 'sofa'],
  3: ['boat', 'cat', 'motorbike', 'sheep', 'sofa'],
};

/** COCO-20i folds (few-shot semantic segmentation), fold i = classes i, i+4, i+8, … of COCO's 80. */
export const COCO_20I_FOLDS: Readonly<Record<1 | 2 | 3 | 4, readonly string[]>> = {
  1: [
    'person', 'airplane', 'boat', 'parking meter', 'dog', 'elephant', 'backpack', 'suitcase',
    'sports ball', 'skateboard', 'wine glass', 'spoon', 'sandwich', 'hot dog', 'chair',
    'dining table', 'mouse', 'microwave', 'refrigerator', 'scissors',
  ],
  2: [
    'bicycle', 'bus', 'traffic light', 'bench', 'horse', 'bear', 'umbrella', 'frisbee', 'kite',
    'surfboard', 'cup', 'bowl', 'orange', 'pizza', 'couch', 'toilet', 'remote', 'oven', 'book',
    'teddy bear',
  ],
  3: [
    'car', 'train', 'fire hydrant', 'bird', 'sheep', 'zebra', 'handbag', 'skis', 'baseball bat',
    'tennis racket', 'fork', 'banana', 'broccoli', 'donut', 'potted plant', 'tv', 'keyboard',
    'toaster', 'clock', 'hair drier',
  ],
  4: [
    'motorcycle', 'truck', 'stop sign', 'cat', 'cow', 'giraffe', 'tie', 'snowboard',
    'baseball glove', 'bottle', 'knife', 'apple', 'carrot', 'cake', 'bed', 'laptop', 'cell phone',
    'sink', 'vase', 'toothbrush',
  ],
};

/** Splits by the names the official scripts use for `--dataset` / `class_split`. */
export const CLASS_SPLITS: Readonly<Record<string, readonly string[]>> = {
  default_classes: COCO_ALL_CLASSES,
  coco: COCO_ALL_CLASSES,
  few_shot_classes: COCO_NOVEL_CLASSES,
  coco_base_classes: COCO_BASE_CLASSES,
  pascal_voc_split_1: VOC_NOVEL_SPLITS[1],
  pascal_voc_split_2: VOC_NOVEL_SPLITS[2],
  pascal_voc_split_3: VOC_NOVEL_SPLITS[3],
  coco_semantic_split_1: COCO_20I_FOLDS[1],
  coco_semantic_split_2: COCO_20I_FOLDS[2],
  coco_semantic_split_3: COCO_20I_FOLDS[3],
  coco_semantic_split_4: COCO_20I_FOLDS[4],
};

/** The class names of a named split, or undefined for an unknown split name. */
export function classSplit(name: string): readonly string[] | undefined {
  return Object.hasOwn(CLASS_SPLITS, name) ? CLASS_SPLITS[name] : undefined;
}

/** Lower-case letters and digits only: "Potted-Plant", "pottedplant" and "potted plant" agree. */
function squash(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]/g, '');
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/** Up to `limit` known names close to `name`: same letters ignoring case/spaces, a substring, or few edits. */
export function closeClassNames(name: string, known: readonly string[], limit = 3): string[] {
  const q = squash(name);
  const scored: { name: string; score: number }[] = [];
  for (const k of new Set(known)) {
    const s = squash(k);
    let score: number;
    if (s === q) score = 0;
    else if (q.length >= 3 && (s.includes(q) || q.includes(s))) score = 1;
    else {
      const d = editDistance(q, s);
      if (d > Math.max(1, Math.floor(Math.max(q.length, s.length) / 3))) continue;
      score = 1 + d;
    }
    scored.push({ name: k, score });
  }
  scored.sort((a, b) => a.score - b.score || a.name.localeCompare(b.name));
  return scored.slice(0, limit).map((s) => s.name);
}

/**
 * Category ids for class names, in the dataset's category order (pycocotools
 * `getCatIds(catNms=...)`). Names must match exactly; unlike pycocotools, which silently drops a
 * name it does not know, an unknown name is an error that lists close names.
 */
export function resolveCategoryIds(categories: readonly CocoCategory[], names: readonly string[]): number[] {
  const known = categories.map((c) => c.name);
  const knownSet = new Set(known);
  const unknown = [...new Set(names.filter((n) => !knownSet.has(n)))];
  if (unknown.length > 0) {
    const suggestions: Record<string, string[]> = {};
    for (const n of unknown) suggestions[n] = closeClassNames(n, known);
    throw new UnknownClassError(unknown, suggestions);
  }
  const wanted = new Set(names);
  return categories.filter((c) => wanted.has(c.name)).map((c) => c.id);
}
