// Where the stand-in models and their sample images live on this machine, generated once:
// $XDG_CACHE_HOME/refseg (default ~/.cache/refseg) holds standin-models/ and standin-samples/.
import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
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

/** Images the stand-ins segment sensibly (a target scene and one reference per class), written when absent. */
export async function standinSamples(env: Env): Promise<string> {
  const dir = join(standinCacheDir(env), 'standin-samples');
  if (!(await exists(join(dir, 'target.png')))) await writeSceneFiles(dir);
  return dir;
}
