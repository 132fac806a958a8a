// Presets beyond the built-in table, from the JSON file named by REFSEG_PRESETS_FILE (an array
// of presets in the PresetSchema shape): for private mirrors, pinned revisions, new exports.
import { readFile } from 'node:fs/promises';
import { BadRequestError, ValidationError } from '../../shared/errors.ts';
import { PRESETS, parsePresets } from './presets.ts';
import type { Preset } from './presets.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** Built-in presets plus those of REFSEG_PRESETS_FILE, which may not reuse a built-in id. */
export async function loadPresets(env: Env = process.env): Promise<Preset[]> {
  const path = env.REFSEG_PRESETS_FILE;
  if (!path) return [...PRESETS];
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new BadRequestError(`Cannot read presets file ${path} (REFSEG_PRESETS_FILE): ${(err as Error).message}`, { cause: err }, 'presets-file', 'Bad presets file');
  }
  const extra = parsePresets(json, path);
  const builtIn = new Set(PRESETS.map((p) => p.id));
  const clash = extra.find((p) => builtIn.has(p.id));
  if (clash) throw new ValidationError([{ path, message: `preset id "${clash.id}" is already a built-in preset`, code: 'custom' }]);
  return [...PRESETS, ...extra];
}
