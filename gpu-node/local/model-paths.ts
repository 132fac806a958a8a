// Which model files a local command or node uses: a model preset in the models folder (the
// default pair unless told otherwise), or a folder / file given directly.
import { stat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BadRequestError, InternalError } from '../../shared/errors.ts';
import { DEFAULT_PRESETS, getPreset, loadPresets, modelsDir, presetDir, presetPaths, presetStatus } from '../model-store/index.ts';
import type { Preset } from '../model-store/index.ts';

type Env = Readonly<Record<string, string | undefined>>;

export interface ModelChoice {
  /** Models folder holding presets (default $REFSEG_MODELS_DIR or the cache folder). */
  dir?: string;
  /** SAM2 preset id, or a folder with its encoder and decoder. Default: the default preset. */
  sam2?: string;
  /** DINOv2 preset id, a `.onnx` file, or a folder holding one. Default: the default preset. */
  dinov2?: string;
}

export interface ModelLocation {
  sam2Dir: string;
  /** The SAM2 weights variant a preset names (a folder given directly leaves it to the caller). */
  sam2Variant?: string;
  dinoPath: string;
  /** Preset ids among the two that are missing from the models folder. */
  missing: Preset[];
}

/** A preset's files are not (all) in the models folder. */
export class ModelsNotInstalledError extends InternalError {}

async function kind(path: string): Promise<'file' | 'dir' | null> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'dir' : 'file';
  } catch {
    return null;
  }
}

async function onnxIn(dir: string): Promise<string | null> {
  for (const folder of [dir, join(dir, 'onnx')]) {
    let names: string[];
    try {
      names = (await readdir(folder)).filter((n) => n.endsWith('.onnx')).sort();
    } catch {
      continue;
    }
    if (names.includes('model.onnx')) return join(folder, 'model.onnx');
    if (names.length === 1) return join(folder, names[0]);
  }
  return null;
}

/** Whether a model choice was meant as a path rather than a preset id (preset ids have no / . ~). */
const looksLikePath = (value: string) => /[/\\]|^[.~]|\.onnx$/i.test(value);

/** A path given for a model that is not there (or not of the right kind), said as such. */
function noSuchModelPath(what: 'SAM2' | 'DINOv2', value: string, found: 'file' | 'dir' | null): BadRequestError {
  const needs = what === 'SAM2' ? 'a folder holding its encoder and decoder .onnx' : 'its .onnx file (or a folder holding model.onnx)';
  const problem = found === null ? 'no such file or folder' : 'a file, not a folder';
  return new BadRequestError(`${what} model "${value}": ${problem}. Give ${needs}, or a preset id (\`refseg models list\`).`, { extra: { path: value } });
}

/** Where the SAM2 and DINOv2 files are; presets not yet downloaded are listed in `missing`. */
export async function locateModels(choice: ModelChoice, env: Env): Promise<ModelLocation> {
  const dir = choice.dir ?? modelsDir(env);
  const presets = await loadPresets(env);
  const missing: Preset[] = [];
  const fromPreset = async (id: string): Promise<Preset> => {
    const preset = getPreset(id, presets);
    if ((await presetStatus(preset, dir)).state !== 'complete') missing.push(preset);
    return preset;
  };

  const sam2 = choice.sam2 ?? DEFAULT_PRESETS.sam2;
  let sam2Dir: string;
  const sam2Kind = await kind(sam2);
  let sam2Variant: string | undefined;
  if (sam2Kind === 'dir') sam2Dir = sam2;
  else if (looksLikePath(sam2) || sam2Kind === 'file') throw noSuchModelPath('SAM2', sam2, sam2Kind);
  else {
    const preset = await fromPreset(sam2);
    sam2Dir = presetDir(dir, preset);
    sam2Variant = preset.dtype;
  }

  const dino = choice.dinov2 ?? DEFAULT_PRESETS.dinov2;
  let dinoPath: string;
  const dinoKind = await kind(dino);
  if (dinoKind === 'file') dinoPath = dino;
  else if (dinoKind === 'dir') {
    const found = await onnxIn(dino);
    if (found === null) throw new ModelsNotInstalledError(`${dino}: no DINOv2 model.onnx (or single .onnx file) in this folder or its onnx/ subfolder.`);
    dinoPath = found;
  } else if (looksLikePath(dino)) {
    throw noSuchModelPath('DINOv2', dino, null);
  } else {
    dinoPath = presetPaths(await fromPreset(dino), dir).model!;
  }
  return { sam2Dir, dinoPath, missing, ...(sam2Variant === undefined ? {} : { sam2Variant }) };
}

/** locateModels, failing with pull instructions when a preset is missing. */
export async function requireModels(choice: ModelChoice, env: Env): Promise<Omit<ModelLocation, 'missing'>> {
  const found = await locateModels(choice, env);
  if (found.missing.length > 0) {
    const ids = found.missing.map((p) => p.id);
    throw new ModelsNotInstalledError(
      `Model preset${ids.length > 1 ? 's' : ''} ${ids.join(' and ')} ${ids.length > 1 ? 'are' : 'is'} not in ${choice.dir ?? modelsDir(env)}. ` +
        `Run \`refseg models pull ${ids.join(' ')}\`, or name model files with --sam2 <folder> and --dinov2 <file>.`,
    );
  }
  return { sam2Dir: found.sam2Dir, dinoPath: found.dinoPath, ...(found.sam2Variant === undefined ? {} : { sam2Variant: found.sam2Variant }) };
}
