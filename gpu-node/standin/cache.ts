// Where the stand-in models and their sample images live on this machine, generated once:
// $XDG_CACHE_HOME/refseg (default ~/.cache/refseg) holds standin-models/ and standin-samples/.
import { stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { generateStandins } from './generate.ts';
import { writeSceneFiles } from './samples.ts';

type Env = Readonly<Record<string, string | undefined>>;

export function standinCacheDir(env: Env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'refseg');
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** The stand-in SAM2 (onnx-community layout) and DINOv2 files, generated when absent. */
export async function standinModels(env: Env, log: (line: string) => void = () => {}): Promise<{ sam2Dir: string; dinoPath: string }> {
  const dir = join(standinCacheDir(env), 'standin-models');
  const sam2Dir = join(dir, 'sam2-onnx-community');
  const dinoPath = join(dir, 'dinov2', 'model.onnx');
  if (!(await exists(dinoPath)) || !(await exists(join(sam2Dir, 'prompt_encoder_mask_decoder.onnx')))) {
    log(`Generating stand-in models in ${dir}…`);
    await generateStandins(dir);
  }
  return { sam2Dir, dinoPath };
}

/**
 * Images the stand-ins segment sensibly (a target scene and one reference per class), written
 * when absent, with a README.txt saying what each file is for.
 */
export async function standinSamples(env: Env): Promise<string> {
  const dir = join(standinCacheDir(env), 'standin-samples');
  if (await exists(join(dir, 'README.txt'))) return dir;
  const { target, references } = await writeSceneFiles(dir);
  const lines = [
    'Sample images for refseg on stand-in models (they tell flat colours apart; results mean nothing on real photos).',
    '',
    `${basename(target)}: the image to segment (2 red, 2 green, 1 blue shapes on grey).`,
    'References, one per line: the image, its class, and its instance (a mask file, or a box x,y,w,h to draw):',
    ...references.map((r) => `  ${basename(r.image)}  class ${r.class}  ${r.box ? `box ${r.box.join(',')}` : `mask ${basename(r.maskPng!)} (or ${basename(r.maskJson!)}, COCO RLE)`}`),
    'yellow is not in the target: a bank with it finds nothing of that class.',
    '',
  ];
  await writeFile(join(dir, 'README.txt'), lines.join('\n'));
  return dir;
}
