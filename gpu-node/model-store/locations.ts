// Where model files come from (hub URL layout) and where they go (cache folder layout:
// `<models dir>/<preset id>/<file name>`).
import { homedir } from 'node:os';
import { join } from 'node:path';
import { entries } from './presets.ts';
import type { FileRole, Preset, PresetFile } from './presets.ts';

export const DEFAULT_HUB_URL = 'https://huggingface.co';

type Env = Readonly<Record<string, string | undefined>>;

/** `REFSEG_HUB_URL`, else the Hugging Face hub; no trailing slash. */
export function hubUrl(env: Env = process.env): string {
  return (env.REFSEG_HUB_URL || DEFAULT_HUB_URL).replace(/\/+$/, '');
}

/** `REFSEG_MODELS_DIR`, else `$XDG_CACHE_HOME/refseg/models`, else `~/.cache/refseg/models`. */
export function modelsDir(env: Env = process.env): string {
  if (env.REFSEG_MODELS_DIR) return env.REFSEG_MODELS_DIR;
  const cache = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'refseg', 'models');
}

export function presetDir(dir: string, preset: Pick<Preset, 'id'>): string {
  return join(dir, preset.id);
}

/** The hub's download URL: `<hub>/<owner>/<repo>/resolve/<revision>/<path>`. */
export function fileUrl(hub: string, preset: Pick<Preset, 'repo' | 'revision'>, file: Pick<PresetFile, 'path'>): string {
  const path = file.path.split('/').map(encodeURIComponent).join('/');
  return `${hub.replace(/\/+$/, '')}/${preset.repo}/resolve/${encodeURIComponent(preset.revision)}/${path}`;
}

/**
 * Absolute paths of a preset's graph files by role (encoder/decoder for SAM2, model for
 * DINOv2), for the model loaders. External-data files are found by onnxruntime beside them.
 */
export function presetPaths(preset: Preset, dir: string = modelsDir()): Partial<Record<Exclude<FileRole, 'external-data'>, string>> {
  const out: Partial<Record<Exclude<FileRole, 'external-data'>, string>> = {};
  for (const e of entries(preset)) if (e.role !== 'external-data') out[e.role] = join(presetDir(dir, preset), e.name);
  return out;
}
