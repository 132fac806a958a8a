// Which annotations of a COCO file become bank references, grouped by image (each image is
// decoded once and sent with all its references). With a sample file, its entries in order (the
// first ann id of each, as the official memory fill, spec/method.md §1.2; an entry repeated by
// the sampler is stored again); without one, every non-crowd annotation of the chosen classes.
import type { GpuReferenceAnnotation } from '../../shared/api/gpu-node.ts';
import { MAX_ANNOTATIONS_PER_IMAGE } from '../../shared/api/gpu-node.ts';
import type { CocoAnnotation, CocoCategory, CocoDataset, CocoImage } from '../../shared/coco-eval/index.ts';
import type { SampledClass } from '../../shared/sampling/index.ts';
import type { CocoBox } from '../../shared/types.ts';
import { DatasetError } from './errors.ts';

export interface ReferenceEntry {
  /** Position in the plan's reference order (sample-file order, else file order): the bank keeps it within each class. */
  order: number;
  referenceId: string;
  categoryId: number;
  annId: number;
  annotation: GpuReferenceAnnotation;
}

/** References on one image, at most MAX_ANNOTATIONS_PER_IMAGE (a busier image gives several jobs). */
export interface ReferenceJob {
  image: CocoImage;
  entries: ReferenceEntry[];
}

export interface ReferencePlan {
  /** Bank classes in label order: ascending category id, as the official label indices (spec/method.md §5.1). */
  classes: CocoCategory[];
  jobs: ReferenceJob[];
  /** References per category id. */
  counts: Map<number, number>;
}

export interface ReferencePlanOptions {
  /** Sampled references (a `refseg sample` file). */
  samples?: readonly SampledClass[];
  /** Only these categories (default: all of the samples, or all categories with annotations). */
  categoryIds?: readonly number[];
  /** Use every annotation's box even when it has a mask (SAM2 makes the mask). */
  boxesOnly?: boolean;
}

/** A polygon needs three points; COCO files carry a few degenerate ones, which cover no pixel. */
function usablePolygons(segmentation: CocoAnnotation['segmentation']): number[][] | undefined {
  if (!Array.isArray(segmentation)) return undefined;
  const polygons = segmentation.filter((p) => p.length >= 6 && p.length % 2 === 0);
  return polygons.length > 0 ? polygons : undefined;
}

/** The annotation as the reference-vectors call takes it: its mask (crop built around its bbox) or, lacking one, its box. */
export function referenceAnnotation(ann: CocoAnnotation, className: string, boxesOnly: boolean): GpuReferenceAnnotation {
  const bbox = ann.bbox as CocoBox;
  const seg = ann.segmentation;
  if (!boxesOnly && seg !== undefined) {
    if (!Array.isArray(seg)) return { class: className, mask: seg, bbox };
    const polygons = usablePolygons(seg);
    if (polygons !== undefined) return { class: className, polygons, bbox };
  }
  return { class: className, box: bbox };
}

export function planReferences(dataset: CocoDataset, options: ReferencePlanOptions = {}): ReferencePlan {
  const categories = new Map(dataset.categories.map((c) => [c.id, c]));
  const images = new Map(dataset.images.map((i) => [i.id, i]));
  const anns = new Map(dataset.annotations.map((a) => [a.id, a]));
  const wanted = options.categoryIds === undefined ? undefined : new Set(options.categoryIds);
  const picked: CocoAnnotation[] = [];

  if (options.samples !== undefined) {
    for (const cls of options.samples) {
      if (!categories.has(cls.categoryId)) throw new DatasetError(`The sample file names category ${cls.categoryId}, which the COCO file does not list.`);
      if (wanted !== undefined && !wanted.has(cls.categoryId)) continue;
      for (const sample of cls.samples) {
        const ann = anns.get(sample.annIds[0]);
        if (ann === undefined || ann.image_id !== sample.imgId || ann.category_id !== cls.categoryId) {
          throw new DatasetError(
            `The sample file's annotation ${sample.annIds[0]} (image ${sample.imgId}, category ${cls.categoryId}) is not in the COCO file as such: was it sampled from another file?`,
          );
        }
        picked.push(ann);
      }
    }
  } else {
    for (const ann of dataset.annotations) {
      if (Number(ann.iscrowd) === 1) continue;
      if (wanted !== undefined && !wanted.has(ann.category_id)) continue;
      picked.push(ann);
    }
  }

  const counts = new Map<number, number>();
  const uses = new Map<number, number>();
  const byImage = new Map<number, ReferenceEntry[]>();
  for (const [order, ann] of picked.entries()) {
    const use = (uses.get(ann.id) ?? 0) + 1;
    uses.set(ann.id, use);
    const category = categories.get(ann.category_id)!;
    const entry: ReferenceEntry = {
      order,
      referenceId: use === 1 ? `ann-${ann.id}` : `ann-${ann.id}.${use}`,
      categoryId: ann.category_id,
      annId: ann.id,
      annotation: referenceAnnotation(ann, category.name, options.boxesOnly ?? false),
    };
    counts.set(ann.category_id, (counts.get(ann.category_id) ?? 0) + 1);
    const list = byImage.get(ann.image_id);
    if (list === undefined) byImage.set(ann.image_id, [entry]);
    else list.push(entry);
  }

  const jobs: ReferenceJob[] = [];
  for (const [imageId, entries] of byImage) {
    const image = images.get(imageId)!;
    for (let start = 0; start < entries.length; start += MAX_ANNOTATIONS_PER_IMAGE) {
      jobs.push({ image, entries: entries.slice(start, start + MAX_ANNOTATIONS_PER_IMAGE) });
    }
  }
  const classes = [...counts.keys()].sort((a, b) => a - b).map((id) => categories.get(id)!);
  return { classes, jobs, counts };
}
