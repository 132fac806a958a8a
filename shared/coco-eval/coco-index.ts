// pycocotools `COCO.createIndex` and its lookups. Maps keep the insertion order of the JSON and,
// like Python dicts, keep the first position but the last value when an id repeats.
import type { CocoAnnotation, CocoCategory, CocoDataset, CocoImage } from './types.ts';

export interface AnnFilter {
  imgIds?: readonly number[];
  catIds?: readonly number[];
  /** Open interval (lo, hi) on `area`. */
  areaRng?: readonly [number, number];
  iscrowd?: number;
}

export interface CatFilter {
  catNms?: readonly string[];
  supNms?: readonly string[];
  catIds?: readonly number[];
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

export class CocoIndex {
  readonly dataset: CocoDataset;
  readonly anns = new Map<number, CocoAnnotation>();
  readonly imgs = new Map<number, CocoImage>();
  readonly cats = new Map<number, CocoCategory>();
  readonly imgToAnns = new Map<number, CocoAnnotation[]>();
  readonly catToImgs = new Map<number, number[]>();

  constructor(dataset: CocoDataset) {
    this.dataset = dataset;
    for (const ann of dataset.annotations ?? []) {
      pushTo(this.imgToAnns, ann.image_id, ann);
      this.anns.set(ann.id, ann);
    }
    for (const img of dataset.images ?? []) this.imgs.set(img.id, img);
    for (const cat of dataset.categories ?? []) this.cats.set(cat.id, cat);
    if (dataset.annotations !== undefined && dataset.categories !== undefined) {
      for (const ann of dataset.annotations) pushTo(this.catToImgs, ann.category_id, ann.image_id);
    }
  }

  /** Annotation ids in `imgToAnns` order of the given images (or JSON order when no image is given). */
  getAnnIds(filter: AnnFilter = {}): number[] {
    const imgIds = filter.imgIds ?? [];
    const catIds = filter.catIds ?? [];
    const areaRng = filter.areaRng;
    let anns: CocoAnnotation[] = this.dataset.annotations ?? [];
    if (imgIds.length > 0 || catIds.length > 0 || areaRng !== undefined) {
      if (imgIds.length > 0) anns = imgIds.flatMap((id) => this.imgToAnns.get(id) ?? []);
      if (catIds.length > 0) {
        const cats = new Set(catIds);
        anns = anns.filter((a) => cats.has(a.category_id));
      }
      if (areaRng !== undefined) anns = anns.filter((a) => a.area > areaRng[0] && a.area < areaRng[1]);
    }
    if (filter.iscrowd !== undefined) anns = anns.filter((a) => Number(a.iscrowd) === filter.iscrowd);
    return anns.map((a) => a.id);
  }

  /** Category ids in the dataset's category order. */
  getCatIds(filter: CatFilter = {}): number[] {
    let cats = this.dataset.categories ?? [];
    if (filter.catNms !== undefined && filter.catNms.length > 0) {
      const names = new Set(filter.catNms);
      cats = cats.filter((c) => names.has(c.name));
    }
    if (filter.supNms !== undefined && filter.supNms.length > 0) {
      const names = new Set(filter.supNms);
      cats = cats.filter((c) => c.supercategory !== undefined && names.has(c.supercategory));
    }
    if (filter.catIds !== undefined && filter.catIds.length > 0) {
      const ids = new Set(filter.catIds);
      cats = cats.filter((c) => ids.has(c.id));
    }
    return cats.map((c) => c.id);
  }

  /**
   * Image ids: all of them in index order, or those holding every given category (pycocotools
   * returns a set there; its iteration order is not meaningful, so this one is sorted).
   */
  getImgIds(filter: { imgIds?: readonly number[]; catIds?: readonly number[] } = {}): number[] {
    const imgIds = filter.imgIds ?? [];
    const catIds = filter.catIds ?? [];
    if (imgIds.length === 0 && catIds.length === 0) return [...this.imgs.keys()];
    let ids = new Set(imgIds);
    catIds.forEach((catId, i) => {
      const withCat = new Set(this.catToImgs.get(catId) ?? []);
      ids = i === 0 && ids.size === 0 ? withCat : new Set([...ids].filter((id) => withCat.has(id)));
    });
    return [...ids].sort((a, b) => a - b);
  }

  loadAnns(ids: readonly number[]): CocoAnnotation[] {
    return ids.map((id) => this.anns.get(id)).filter((a): a is CocoAnnotation => a !== undefined);
  }

  loadImgs(ids: readonly number[]): CocoImage[] {
    return ids.map((id) => this.imgs.get(id)).filter((i): i is CocoImage => i !== undefined);
  }
}
