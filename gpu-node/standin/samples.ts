// The synthetic scene and references that the demo, the sample images of `npm start --standin`,
// the stand-in end-to-end test and the gpu-node benchmark share: flat-coloured shapes whose
// colours are stand-in DINOv2 palette anchors, so the stand-in features tell the classes apart
// (dinov2.ts), on backgrounds of other colours, with shapes far enough apart that each stand-in
// SAM2 mask has one right answer.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { encodeMask } from '../../shared/coco-mask/index.ts';
import type { CocoBox, Rle } from '../../shared/types.ts';
import { renderScene } from './scene.ts';
import type { Rgb, Scene, SceneObject } from './scene.ts';

export const CLASS_COLOURS = {
  red: [255, 0, 0],
  green: [0, 255, 0],
  blue: [0, 0, 255],
  /** Not in the target scene: the absent class. */
  yellow: [255, 255, 0],
} as const satisfies Record<string, Rgb>;
export type SceneClass = keyof typeof CLASS_COLOURS;

export interface TargetObject {
  class: SceneClass;
  shape: SceneObject;
}

/** Five instances of three classes on grey, 512×384. */
export const TARGET_OBJECTS: readonly TargetObject[] = [
  { class: 'red', shape: { kind: 'disc', color: CLASS_COLOURS.red, cx: 100, cy: 100, r: 45 } },
  { class: 'green', shape: { kind: 'rect', color: CLASS_COLOURS.green, x0: 300, y0: 50, x1: 400, y1: 130 } },
  { class: 'blue', shape: { kind: 'disc', color: CLASS_COLOURS.blue, cx: 420, cy: 300, r: 40 } },
  { class: 'red', shape: { kind: 'rect', color: CLASS_COLOURS.red, x0: 60, y0: 250, x1: 170, y1: 340 } },
  { class: 'green', shape: { kind: 'disc', color: CLASS_COLOURS.green, cx: 260, cy: 280, r: 35 } },
];

export function targetScene(): Scene {
  return renderScene(512, 384, [128, 128, 128], TARGET_OBJECTS.map((o) => o.shape));
}

export interface ReferenceFixture {
  class: SceneClass;
  scene: Scene;
  /** Box-only reference: SAM2 makes the mask. */
  box?: CocoBox;
}

/** One reference image per class (a shape of another size on another background), plus a box-only one for red. */
export function referenceFixtures(): ReferenceFixture[] {
  const disc = (c: SceneClass, bg: Rgb) => renderScene(256, 224, bg, [{ kind: 'disc', color: CLASS_COLOURS[c], cx: 120, cy: 110, r: 52 }]);
  return [
    { class: 'red', scene: disc('red', [255, 255, 255]) },
    { class: 'red', scene: renderScene(240, 240, [0, 0, 0], [{ kind: 'rect', color: CLASS_COLOURS.red, x0: 90, y0: 95, x1: 150, y1: 140 }]), box: [90, 95, 60, 45] },
    { class: 'green', scene: disc('green', [255, 255, 255]) },
    { class: 'blue', scene: disc('blue', [0, 0, 0]) },
    { class: 'yellow', scene: disc('yellow', [128, 128, 128]) },
  ];
}

export async function pngOf(scene: Pick<Scene, 'data' | 'width' | 'height'>): Promise<Uint8Array> {
  return new Uint8Array(await sharp(scene.data, { raw: { width: scene.width, height: scene.height, channels: 3 } }).png().toBuffer());
}

export function maskRle(scene: Scene, index = 0): Rle {
  return encodeMask(scene.masks[index], scene.height, scene.width);
}

export interface WrittenReference {
  class: SceneClass;
  image: string;
  /** PNG mask file (mask references). */
  maskPng?: string;
  /** COCO RLE JSON mask file (mask references). */
  maskJson?: string;
  box?: CocoBox;
}

/** Writes the target and references as PNG files (masks as PNG and as RLE JSON) for the CLI. */
export async function writeSceneFiles(dir: string): Promise<{ target: string; references: WrittenReference[] }> {
  await mkdir(dir, { recursive: true });
  const target = join(dir, 'target.png');
  await writeFile(target, await pngOf(targetScene()));
  const references: WrittenReference[] = [];
  for (const [i, ref] of referenceFixtures().entries()) {
    const image = join(dir, `ref-${i}-${ref.class}.png`);
    await writeFile(image, await pngOf(ref.scene));
    if (ref.box) {
      references.push({ class: ref.class, image, box: ref.box });
      continue;
    }
    const { width, height } = ref.scene;
    const maskPng = join(dir, `ref-${i}-${ref.class}-mask.png`);
    const grey = Uint8Array.from(ref.scene.masks[0], (v) => v * 255);
    await writeFile(maskPng, await sharp(grey, { raw: { width, height, channels: 1 } }).png().toBuffer());
    const maskJson = join(dir, `ref-${i}-${ref.class}-mask.json`);
    await writeFile(maskJson, JSON.stringify(maskRle(ref.scene)));
    references.push({ class: ref.class, image, maskPng, maskJson });
  }
  return { target, references };
}
