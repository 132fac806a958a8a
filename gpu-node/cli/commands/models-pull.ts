// `refseg models pull [preset...]`: download presets into the models folder with progress
// bars, resuming whatever an earlier run left in `.part` files.
import { DEFAULT_PRESETS, getPreset, hubUrl, loadPresets, modelsDir, pullPreset } from '../../model-store/index.ts';
import type { PullEvent } from '../../model-store/index.ts';
import { defineCommand, intOption } from '../command.ts';
import type { Output } from '../command.ts';
import { ProgressBar, formatBytes } from '../progress.ts';

/** Turns pull events into one progress bar per file plus short notes, on stderr. */
class PullView {
  private bar: ProgressBar | undefined;

  constructor(
    private readonly out: Output,
    private readonly presetId: string,
    private readonly quiet: boolean,
  ) {}

  on(event: PullEvent): void {
    if (this.quiet) return;
    switch (event.type) {
      case 'file-start':
        this.close();
        if (event.resumeFrom > 0) this.out.write(`${this.presetId}/${event.file}: resuming at ${formatBytes(event.resumeFrom)}\n`);
        this.bar = new ProgressBar({ label: `${this.presetId}/${event.file}`, total: event.total, unit: 'bytes', stream: this.out });
        break;
      case 'progress':
        this.bar?.update(event.fileDone, event.fileTotal);
        break;
      case 'file-done':
        if (event.skipped) this.out.write(`${this.presetId}/${event.file}: already present\n`);
        else this.close();
        break;
      case 'file-absent':
        this.close('not published');
        this.out.write(`${this.presetId}/${event.file}: not published upstream (optional), skipped\n`);
        break;
      case 'extract':
        this.close();
        this.out.write(`${this.presetId}/${event.archive}: extracting ${event.members.join(', ')}\n`);
        break;
      case 'retry':
        this.close('interrupted');
        this.out.write(`${this.presetId}/${event.file}: ${event.reason}; retry ${event.attempt} in ${Math.round(event.delayMs / 1000)} s\n`);
        break;
    }
  }

  close(note?: string): void {
    this.bar?.finish(note);
    this.bar = undefined;
  }
}

export const modelsPull = defineCommand({
  name: 'models pull',
  summary: 'Download model presets (resumable, with progress)',
  description:
    'Downloads the files of each named preset into <dir>/<preset>/. Files arrive as <name>.part and are renamed when complete and checked; ' +
    'an interrupted download resumes from its .part on the next run. With no preset, pulls the default pair ' +
    `(${DEFAULT_PRESETS.sam2} and ${DEFAULT_PRESETS.dinov2}). Extra presets can be defined in the JSON file named by REFSEG_PRESETS_FILE.`,
  positionals: [{ name: 'preset', description: 'Preset ids (see `refseg models list`)', variadic: true }],
  options: {
    dir: { type: 'string', valueName: 'path', description: 'Models folder (default: $REFSEG_MODELS_DIR, else $XDG_CACHE_HOME/refseg/models or ~/.cache/refseg/models)' },
    hub: { type: 'string', valueName: 'url', description: 'Hub base URL (default: $REFSEG_HUB_URL, else https://huggingface.co)' },
    retries: { type: 'string', valueName: 'n', default: '3', description: 'Extra attempts per file after a broken transfer' },
    verify: { type: 'boolean', description: 'Re-check the SHA-256 of files already present' },
    quiet: { type: 'boolean', short: 'q', description: 'No progress output' },
  },
  examples: ['refseg models pull', 'refseg models pull sam2.1-hiera-small dinov2-base --dir /srv/models'],
  async run(ctx) {
    const retries = intOption(ctx.values.retries, '--retries');
    const presets = await loadPresets(ctx.env);
    const ids = ctx.args.preset as string[];
    const chosen = (ids.length > 0 ? ids : [DEFAULT_PRESETS.sam2, DEFAULT_PRESETS.dinov2]).map((id) => getPreset(id, presets));
    const dir = ctx.values.dir ?? modelsDir(ctx.env);
    const hub = ctx.values.hub ?? hubUrl(ctx.env);
    for (const preset of chosen) {
      const view = new PullView(ctx.stderr, preset.id, ctx.values.quiet === true);
      let result;
      try {
        result = await pullPreset(preset, {
          dir,
          hub,
          ...(retries === undefined ? {} : { retries }),
          verify: ctx.values.verify === true,
          signal: ctx.signal,
          onEvent: (e) => view.on(e),
        });
      } finally {
        view.close('stopped');
      }
      ctx.stdout.write(`${preset.id}: complete in ${result.dir}\n`);
    }
  },
});
