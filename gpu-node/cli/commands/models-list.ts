// `refseg models list`: every preset, whether it is downloaded, and how big it is.
import { DEFAULT_PRESETS, downloadSize, listModels, loadPresets, modelsDir } from '../../model-store/index.ts';
import type { PresetStatus } from '../../model-store/index.ts';
import { defineCommand } from '../command.ts';
import { formatBytes } from '../progress.ts';
import { columns } from '../table.ts';

const DEFAULTS = new Set<string>(Object.values(DEFAULT_PRESETS));

function sizeCell(status: PresetStatus): string {
  const { bytes, exact } = downloadSize(status.preset);
  const total = exact ? formatBytes(bytes) : 'size unknown';
  if (status.state !== 'partial') return total;
  const onDisk = status.files.reduce((sum, f) => sum + (f.bytes ?? 0), 0);
  return `${formatBytes(onDisk)} of ${total}`;
}

export const modelsList = defineCommand({
  name: 'models list',
  summary: 'List model presets and which are downloaded',
  description: 'Shows every model preset with its state in the models folder: complete, partial (a download to resume) or absent ("-").',
  options: {
    dir: { type: 'string', valueName: 'path', description: 'Models folder (default: $REFSEG_MODELS_DIR, else $XDG_CACHE_HOME/refseg/models or ~/.cache/refseg/models)' },
    downloaded: { type: 'boolean', description: 'Only presets with files on disk' },
    json: { type: 'boolean', description: 'Machine-readable output' },
  },
  async run(ctx) {
    const dir = ctx.values.dir ?? modelsDir(ctx.env);
    const all = await listModels(dir, await loadPresets(ctx.env));
    const shown = ctx.values.downloaded ? all.filter((s) => s.state !== 'absent') : all;
    if (ctx.values.json) {
      const out = shown.map((s) => ({
        id: s.preset.id,
        family: s.preset.family,
        dtype: s.preset.dtype,
        state: s.state,
        dir: s.dir,
        default: DEFAULTS.has(s.preset.id),
        files: s.files.map((f) => ({ name: f.name, role: f.role, state: f.state, bytes: f.bytes, size: f.size, optional: f.optional })),
      }));
      ctx.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      return;
    }
    const rows = shown.map((s) => [
      `${s.preset.id}${DEFAULTS.has(s.preset.id) ? ' *' : ''}`,
      s.state === 'absent' ? '-' : s.state,
      sizeCell(s),
      `${s.preset.repo}@${s.preset.revision.length === 40 ? s.preset.revision.slice(0, 8) : s.preset.revision}`,
    ]);
    ctx.stdout.write([...columns([['PRESET', 'STATE', 'SIZE', 'SOURCE'], ...rows]), '', `Models folder: ${dir}   (* = default preset)`, ''].join('\n'));
  },
});
