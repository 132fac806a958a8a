// A small COCO-format dataset of synthetic scenes for the stand-in models (gpu-node/standin): flat
// coloured discs and squares on grey, one class per colour (the stand-in DINOv2 tells colours
// apart, so a class is its colour and the right answers are known). Written to disk like a real
// dataset:
//
//   <out>/images/ref-000.jpg …         reference images (JPEG)
//   <out>/images/val-000.png …         evaluation images (PNG; val-000 is a JPEG whose EXIF says
//                                      "rotate 90°": dataset commands must ignore that)
//   <out>/refs.json                    reference split, instance masks as polygons
//   <out>/refs-boxes.json              the same without segmentations (box-only references)
//   <out>/refs-mislabelled.json        the same with every category id moved to the next class
//   <out>/val.json                     evaluation split, instance masks as compressed RLE
//
// Usage: npx tsx test/datasets/generate.ts <outDir> [--seed N] [--refs N] [--val N]
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { encodeMask, rleArea, rleToBbox } from '../../shared/coco-mask/index.ts';
import type { CocoAnnotation, CocoDataset, CocoImage } from '../../shared/coco-eval/index.ts';
import { Mt19937 } from '../../shared/sampling/index.ts';
import { renderScene } from '../../gpu-node/standin/scene.ts';
import type { Rgb, SceneObject } from '../../gpu-node/standin/scene.ts';

export interface SyntheticClass {
  id: number;
  name: string;
  color: Rgb;
  kind: SceneObject['kind'];
}

/**
 * Ids are not contiguous and the file does not list them in id order, so code that confuses
 * label indices, category ids and file order gets caught.
 */
export const SYNTHETIC_CLASSES: readonly SyntheticClass[] = [
  { id: 12, name: 'green disc', color: [40, 190, 60], kind: 'disc' },
  { id: 3, name: 'red disc', color: [220, 30, 30], kind: 'disc' },
  { id: 20, name: 'yellow square', color: [230, 220, 40], kind: 'rect' },
  { id: 7, name: 'blue square', color: [30, 40, 210], kind: 'rect' },
];

const BACKGROUND: Rgb = [128, 128, 128];
/** Image sizes (width, height) the scenes cycle through. */
const SIZES: readonly (readonly [number, number])[] = [
  [320, 240],
  [288, 224],
  [240, 320],
];
/** Every object stays this far from the image border: the official reference check wants ≥ 10 px. */
const BORDER = 14;
/** Least gap between two objects of different classes, pixels. */
const GAP = 18;
/**
 * Least gap between two objects of one class, as a share of the image side: the stand-in SAM2
 * grows a mask over same-coloured pixels within a window of up to a quarter of the (stretched)
 * image, so two same-class objects closer than that would come out as one proposal.
 */
const SAME_CLASS_GAP = 0.3;

export interface GenerateOptions {
  /** Default 1. */
  seed?: number;
  /** Reference images (default 6); each shows three of the four classes, one instance each. */
  refs?: number;
  /** Evaluation images (default 6). */
  val?: number;
}

export interface GeneratedDataset {
  dir: string;
  imagesDir: string;
  refs: string;
  refsBoxes: string;
  refsMislabelled: string;
  val: string;
  classes: readonly SyntheticClass[];
}

interface Placed {
  cls: SyntheticClass;
  object: SceneObject;
  /** Bounding square [x0, y0, x1, y1). */
  extent: [number, number, number, number];
}

function place(cls: SyntheticClass, cx: number, cy: number, half: number): Placed {
  const object: SceneObject =
    cls.kind === 'disc'
      ? { kind: 'disc', color: cls.color, cx, cy, r: half }
      : { kind: 'rect', color: cls.color, x0: cx - half, y0: cy - half, x1: cx + half, y1: cy + half };
  return { cls, object, extent: [cx - half, cy - half, cx + half, cy + half] };
}

function apart(a: Placed, b: Placed, width: number, height: number): boolean {
  const same = a.cls.id === b.cls.id;
  const gx = Math.max(a.extent[0] - b.extent[2], b.extent[0] - a.extent[2]);
  const gy = Math.max(a.extent[1] - b.extent[3], b.extent[1] - a.extent[3]);
  if (!same) return gx >= GAP || gy >= GAP;
  return gx >= SAME_CLASS_GAP * width || gy >= SAME_CLASS_GAP * height;
}

/** Objects of the given classes at random non-overlapping places (rejection sampling; gives up on one that does not fit). */
function layout(rng: Mt19937, classes: readonly SyntheticClass[], width: number, height: number): Placed[] {
  const placed: Placed[] = [];
  for (const cls of classes) {
    for (let attempt = 0; attempt < 200; attempt++) {
      const half = 24 + Math.floor(rng.random() * 14);
      const cx = BORDER + half + Math.floor(rng.random() * (width - 2 * (BORDER + half)));
      const cy = BORDER + half + Math.floor(rng.random() * (height - 2 * (BORDER + half)));
      const candidate = place(cls, cx, cy, half);
      if (placed.every((p) => apart(p, candidate, width, height))) {
        placed.push(candidate);
        break;
      }
    }
  }
  return placed;
}

/** A disc as a 48-gon, a square as its four corners (pixel-edge coordinates). */
function polygonOf(o: SceneObject): number[] {
  if (o.kind === 'rect') return [o.x0, o.y0, o.x1, o.y0, o.x1, o.y1, o.x0, o.y1];
  const out: number[] = [];
  for (let i = 0; i < 48; i++) {
    const t = (2 * Math.PI * i) / 48;
    out.push(Math.round((o.cx + o.r * Math.cos(t)) * 100) / 100, Math.round((o.cy + o.r * Math.sin(t)) * 100) / 100);
  }
  return out;
}

interface SceneFile {
  image: CocoImage;
  annotations: CocoAnnotation[];
}

async function writeScene(
  imagesDir: string,
  fileName: string,
  imageId: number,
  nextAnnId: () => number,
  placed: readonly Placed[],
  width: number,
  height: number,
  encoding: 'png' | 'jpeg' | 'jpeg-rotated-exif',
  segmentation: 'polygons' | 'rle',
): Promise<SceneFile> {
  const scene = renderScene(width, height, BACKGROUND, placed.map((p) => p.object));
  const raw = sharp(scene.data, { raw: { width, height, channels: 3 } });
  const bytes =
    encoding === 'png'
      ? await raw.png().toBuffer()
      : encoding === 'jpeg'
        ? await raw.jpeg({ quality: 95 }).toBuffer()
        : await raw.jpeg({ quality: 98, chromaSubsampling: '4:4:4' }).withMetadata({ orientation: 6 }).toBuffer();
  await writeFile(join(imagesDir, fileName), bytes);
  const annotations = placed.map((p, k): CocoAnnotation => {
    const rle = encodeMask(scene.masks[k], height, width);
    return {
      id: nextAnnId(),
      image_id: imageId,
      category_id: p.cls.id,
      segmentation: segmentation === 'rle' ? rle : [polygonOf(p.object)],
      area: rleArea(rle),
      bbox: rleToBbox(rle),
      iscrowd: 0,
    };
  });
  return { image: { id: imageId, file_name: fileName, width, height }, annotations };
}

function dataset(scenes: readonly SceneFile[], description: string): CocoDataset {
  return {
    info: { description, version: '1.0' },
    images: scenes.map((s) => s.image),
    annotations: scenes.flatMap((s) => s.annotations),
    categories: SYNTHETIC_CLASSES.map((c) => ({ id: c.id, name: c.name, supercategory: 'shape' })),
  };
}

async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFile(path, `${JSON.stringify(value)}\n`);
}

export async function generateDataset(outDir: string, options: GenerateOptions = {}): Promise<GeneratedDataset> {
  const dir = resolve(outDir);
  const imagesDir = join(dir, 'images');
  await mkdir(imagesDir, { recursive: true });
  const rng = new Mt19937(options.seed ?? 1);
  const C = SYNTHETIC_CLASSES.length;
  let annId = 0;
  const nextAnnId = () => (annId += 1);

  // Reference image i shows classes i, i+1, i+2 (mod C): every class on most images, one instance each.
  const refScenes: SceneFile[] = [];
  for (let i = 0; i < (options.refs ?? 6); i++) {
    const [w, h] = SIZES[i % SIZES.length];
    const classes = [0, 1, 2].map((k) => SYNTHETIC_CLASSES[(i + k) % C]);
    const placed = layout(rng, classes, w, h);
    refScenes.push(await writeScene(imagesDir, `ref-${String(i).padStart(3, '0')}.jpg`, 100 + i, nextAnnId, placed, w, h, 'jpeg', 'polygons'));
  }

  const valScenes: SceneFile[] = [];
  for (let i = 0; i < (options.val ?? 6); i++) {
    const [w, h] = SIZES[i % SIZES.length];
    const count = 2 + Math.floor(rng.random() * 3);
    const classes = Array.from({ length: count }, () => SYNTHETIC_CLASSES[Math.floor(rng.random() * C)]);
    const placed = layout(rng, classes, w, h);
    const rotated = i === 0;
    const name = `val-${String(i).padStart(3, '0')}.${rotated ? 'jpg' : 'png'}`;
    valScenes.push(await writeScene(imagesDir, name, 1000 + i, nextAnnId, placed, w, h, rotated ? 'jpeg-rotated-exif' : 'png', 'rle'));
  }

  const refs = dataset(refScenes, 'refseg synthetic scenes: reference split');
  const next = new Map(SYNTHETIC_CLASSES.map((c, k) => [c.id, SYNTHETIC_CLASSES[(k + 1) % C].id]));
  const out: GeneratedDataset = {
    dir,
    imagesDir,
    refs: join(dir, 'refs.json'),
    refsBoxes: join(dir, 'refs-boxes.json'),
    refsMislabelled: join(dir, 'refs-mislabelled.json'),
    val: join(dir, 'val.json'),
    classes: SYNTHETIC_CLASSES,
  };
  await writeJson(out.refs, refs);
  await writeJson(out.refsBoxes, {
    ...refs,
    info: { description: 'refseg synthetic scenes: reference split, boxes only', version: '1.0' },
    annotations: refs.annotations.map(({ segmentation: _dropped, ...a }) => a),
  });
  await writeJson(out.refsMislabelled, {
    ...refs,
    info: { description: 'refseg synthetic scenes: reference split, every reference labelled as the next class', version: '1.0' },
    annotations: refs.annotations.map((a) => ({ ...a, category_id: next.get(a.category_id)! })),
  });
  await writeJson(out.val, dataset(valScenes, 'refseg synthetic scenes: evaluation split'));
  return out;
}

function parseArgs(argv: string[]): { outDir: string; options: GenerateOptions } {
  const [outDir, ...rest] = argv;
  if (!outDir || outDir.startsWith('--')) throw new Error('usage: generate.ts <outDir> [--seed N] [--refs N] [--val N]');
  const options: GenerateOptions = {};
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i];
    const value = Number(rest[++i]);
    if (!Number.isInteger(value) || value < 0) throw new Error(`${flag} needs a non-negative integer`);
    if (flag === '--seed') options.seed = value;
    else if (flag === '--refs') options.refs = value;
    else if (flag === '--val') options.val = value;
    else throw new Error(`unknown option ${flag}`);
  }
  return { outDir, options };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { outDir, options } = parseArgs(process.argv.slice(2));
  const generated = await generateDataset(outDir, options);
  console.log(JSON.stringify(generated, null, 2));
}
