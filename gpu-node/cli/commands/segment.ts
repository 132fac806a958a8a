// `refseg segment`: references (image + mask, or image + box) and a target image in, detections
// out — everything runs here, no server. Writes COCO-style results and an optional overlay PNG.
import { basename } from 'node:path';
import { readFile, writeFile } from 'node:fs/promises';
import type { GpuReferenceAnnotation } from '../../../shared/api/gpu-node.ts';
import { RefsegError } from '../../../shared/errors.ts';
import { sniffImage } from '../../../shared/images/index.ts';
import { defineCommand, UsageError } from '../command.ts';
import type { Output } from '../command.ts';
import { ProgressBar } from '../progress.ts';
import { columns } from '../table.ts';
import { presetOption } from './dataset-options.ts';
import { MATCHING_FLAGS, zeroScoreLabelOption } from './matching-flags.ts';
import { MODEL_OPTIONS, openPipelineFrom } from './model-options.ts';

const NONE = '-';

/**
 * Default --min-score. Scores are cosine similarities to the class prototype: at 0 background
 * fragments come back too (on the demo's stand-in scene, five scoring 0.001–0.035 cover the lower
 * half of the overlay); 0.3 keeps what resembles a reference and makes a picture a person can read.
 */
export const DEFAULT_MIN_SCORE = 0.3;

export interface ReferenceArgs {
  image: string;
  className: string;
  mask?: string;
  box?: string;
}

/**
 * Pairs the repeated options by position: the i-th --ref takes the i-th --ref-class, --ref-mask and
 * --ref-box. When both kinds are used, `-` marks "none for this reference"; a reference given both
 * is pooled under its mask, with the box as the crop box.
 */
export function pairReferences(refs: string[], classes: string[], masks: string[], boxes: string[]): ReferenceArgs[] {
  if (refs.length === 0) throw new UsageError('Give at least one reference: --ref <image> --ref-mask <file> (or --ref-box x,y,w,h) --ref-class <name>.');
  if (classes.length !== refs.length) throw new UsageError(`${refs.length} --ref but ${classes.length} --ref-class: give one class per reference.`);
  for (const [flag, list] of [
    ['--ref-mask', masks],
    ['--ref-box', boxes],
  ] as const) {
    if (list.length > 0 && list.length !== refs.length) {
      throw new UsageError(`${refs.length} --ref but ${list.length} ${flag}: give one per reference in order, "${NONE}" for none.`);
    }
  }
  return refs.map((image, i) => {
    const mask = masks[i] !== undefined && masks[i] !== NONE ? masks[i] : undefined;
    const box = boxes[i] !== undefined && boxes[i] !== NONE ? boxes[i] : undefined;
    if (mask === undefined && box === undefined) throw new UsageError(`Reference ${i + 1} (${image}) has neither --ref-mask nor --ref-box.`);
    return { image, className: classes[i], ...(mask === undefined ? {} : { mask }), ...(box === undefined ? {} : { box }) };
  });
}

function summary(out: Output, classes: string[], detections: { label: number; score: number; bbox: number[] }[]): void {
  if (detections.length === 0) {
    out.write('No instances found.\n');
    return;
  }
  const rows = detections.map((d) => [classes[d.label], d.score.toFixed(3), d.bbox.join(',')]);
  out.write(`${columns([['CLASS', 'SCORE', 'BOX x,y,w,h'], ...rows]).join('\n')}\n`);
}

export const segment = defineCommand({
  name: 'segment',
  summary: 'Find every instance of the reference classes in an image (runs locally)',
  description:
    'Computes one vector per reference (image plus mask, or plus a box that SAM2 turns into a mask), one prototype per class, ' +
    'and the detections in the target image, with the models on this machine. Repeat --ref/--ref-mask/--ref-box/--ref-class per reference, ' +
    `in order; when some references have masks and others boxes, write "${NONE}" for the one that is absent. ` +
    'Results are COCO JSON (categories with names and ids 1…C, annotations with scores; info.box_convention says how bbox was made): ' +
    'to --out, else to standard output.',
  options: {
    ref: { type: 'string', multiple: true, valueName: 'image', description: 'Reference image (repeat per reference)' },
    'ref-mask': { type: 'string', multiple: true, valueName: 'png|json', description: 'Its instance mask: image with non-zero pixels, or JSON COCO RLE / polygons' },
    'ref-box': { type: 'string', multiple: true, valueName: 'x,y,w,h', description: 'Its box; alone, SAM2 makes the mask' },
    'ref-class': { type: 'string', multiple: true, valueName: 'name', description: 'Its class name' },
    target: { type: 'string', valueName: 'image', description: 'Image to search' },
    out: { type: 'string', valueName: 'file', description: 'Write the results JSON here' },
    overlay: { type: 'string', valueName: 'png', description: 'Write a picture of the detections here' },
    preset: { type: 'string', valueName: 'official|sam2-amg|device-16|device-8', default: 'official', description: 'Proposal preset' },
    'min-score': {
      type: 'string',
      valueName: 's',
      default: String(DEFAULT_MIN_SCORE),
      description: 'Drop detections scoring below this (0 keeps every proposal, as COCO evaluation wants)',
    },
    exif: { type: 'string', valueName: 'apply|ignore', default: 'apply', description: 'EXIF orientation of all images (ignore: stored pixel grid, as COCO)' },
    quiet: { type: 'boolean', short: 'q', description: 'No progress output' },
    ...MATCHING_FLAGS,
    ...MODEL_OPTIONS,
  },
  examples: [
    'refseg segment --ref cup1.jpg --ref-mask cup1.png --ref-box - --ref-class cup --ref shelf2.jpg --ref-mask - --ref-box 40,60,120,90 --ref-class box --target shelf.jpg --out found.json --overlay found.png',
  ],
  async run(ctx) {
    const v = ctx.values;
    const refs = pairReferences(v.ref ?? [], v['ref-class'] ?? [], v['ref-mask'] ?? [], v['ref-box'] ?? []);
    if (v.target === undefined) throw new UsageError('--target <image> is required.');

    if (v.exif !== 'apply' && v.exif !== 'ignore') throw new UsageError(`--exif must be apply or ignore, not "${v.exif}".`);
    const minScore = Number(v['min-score']);
    if (!(minScore >= 0 && minScore <= 1)) throw new UsageError(`--min-score must be a number from 0 to 1, not "${v['min-score']}".`);
    const zeroScoreLabel = zeroScoreLabelOption(v['zero-score-label']);
    const preset = presetOption(v.preset);
    const exif = v.exif;

    const { decodeImage } = await import('../../preprocess/index.ts');
    const { readMaskFile, parseBox } = await import('../../local/reference-files.ts');
    const { segmentLocally } = await import('../../local/run-local.ts');
    const { boxConventionOf, cocoResults } = await import('../../local/coco-results.ts');
    const officialBoxCompat = v['official-box-compat'] === true;

    const targetBytes = await readImageFile(v.target, '--target');
    const references = [];
    for (const r of refs) {
      const image = await readImageFile(r.image, '--ref');
      let annotation: GpuReferenceAnnotation;
      if (r.mask !== undefined) {
        const { width, height } = await decodeImage(image, { orientation: exif });
        const mask = await readMaskFile(r.mask, width, height);
        annotation = { class: r.className, mask, ...(r.box === undefined ? {} : { bbox: parseBox(r.box) }) };
      } else {
        annotation = { class: r.className, box: parseBox(r.box!) };
      }
      references.push({ image, annotation });
    }

    if (!v.quiet) ctx.stderr.write('Loading models…\n');
    const pipeline = await openPipelineFrom(v, { env: ctx.env, log: (l) => ctx.stderr.write(`${l}\n`) });
    try {
      const bar = v.quiet ? undefined : new ProgressBar({ label: 'segment', stream: ctx.stderr });
      const run = await segmentLocally(pipeline, references, targetBytes, {
        proposals: preset,
        exif,
        options: { scoreThreshold: minScore, officialBoxCompat, zeroScoreLabel },
        onProgress: (p) => {
          bar?.setLabel(p.label);
          bar?.update(p.done, p.total);
        },
      });
      bar?.finish();
      const doc = cocoResults(
        { fileName: basename(v.target), width: run.set.width, height: run.set.height },
        run.classes,
        run.detections,
        boxConventionOf(officialBoxCompat),
      );
      const json = `${JSON.stringify(doc)}\n`;
      const report = v.out === undefined ? ctx.stderr : ctx.stdout;
      if (v.out !== undefined) await writeFile(v.out, json);
      else ctx.stdout.write(json);
      summary(report, run.classes, run.detections);
      if (v.overlay !== undefined) {
        const { overlayPng } = await import('../../local/overlay.ts');
        const target = await decodeImage(targetBytes, { orientation: exif });
        await writeFile(v.overlay, (await overlayPng(target.data, target.width, target.height, run.detections, run.classes)).png);
        report.write(`Overlay written to ${v.overlay}\n`);
      }
    } finally {
      await pipeline.close();
    }
  },
});

/** An image file named on the command line, refused with its path and option when it is no image refseg reads. */
async function readImageFile(path: string, option: string): Promise<Uint8Array> {
  const bytes = new Uint8Array(await readFile(path));
  try {
    sniffImage(bytes, option);
  } catch (err) {
    if (err instanceof RefsegError) throw new UsageError(`${option} ${path}: ${err.detail}`, { cause: err });
    throw err;
  }
  return bytes;
}
