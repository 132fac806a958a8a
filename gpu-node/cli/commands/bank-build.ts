// `refseg bank build`: a portable bank file from the references of a COCO file (all of them, or
// those a `refseg sample` file picked), through DINOv2 — and SAM2 for box-only references.
import { writeFile } from 'node:fs/promises';
import { selectCategoryIds } from '../../datasets/classes.ts';
import { DatasetError } from '../../datasets/errors.ts';
import { requireImages } from '../../datasets/images.ts';
import { parseWith, readCocoFile, readJsonFile } from '../../datasets/json-file.ts';
import { planReferences } from '../../datasets/references.ts';
import { SampleFileSchema, samplesFromFile } from '../../datasets/sample-file.ts';
import { UsageError, defineCommand } from '../command.ts';
import { ProgressBar } from '../progress.ts';
import { BACKEND_OPTIONS, openBackend, presetOption } from './dataset-options.ts';

export const bankBuild = defineCommand({
  name: 'bank build',
  summary: 'Build a portable bank file from a COCO dataset\'s references',
  description:
    'Every reference instance (each entry of --sample, else every non-crowd annotation of the chosen classes) is cropped as the ' +
    'official memory fill does, described by DINOv2 and averaged into its class. An annotation without a segmentation (or all of ' +
    'them with --boxes-only) is a box: SAM2 turns it into a mask first. Classes get labels in ascending category id, as in the ' +
    'official code. Images are read as stored: EXIF orientation is ignored, as COCO annotations expect.',
  options: {
    coco: { type: 'string', valueName: 'refs.json', description: 'COCO file holding the reference annotations (required)' },
    images: { type: 'string', valueName: 'dir', description: 'Folder the file_name of each image is relative to (required)' },
    sample: { type: 'string', valueName: 'samples.json', description: 'Use only these references (a `refseg sample` file)' },
    classes: { type: 'string', valueName: 'split|names', description: 'Only these classes (default: every class with references)' },
    'boxes-only': { type: 'boolean', description: 'Use the annotations\' boxes even where they have masks' },
    out: { type: 'string', short: 'o', valueName: 'bank.json', description: 'Where to write the bank file (required)' },
    name: { type: 'string', valueName: 'text', description: 'Name stored in the bank file' },
    ...BACKEND_OPTIONS,
  },
  examples: [
    'refseg bank build --coco instances_train2017.json --images train2017 --sample few_shot_30shot_seed33.json -o coco-novel-30shot.bank.json',
    'refseg bank build --coco refs.json --images images --boxes-only -o bank.json --gpu-node http://gpu1:8081 --secret "$SECRET"',
  ],
  async run(ctx) {
    const { coco, images, out } = ctx.values;
    if (coco === undefined || images === undefined || out === undefined) throw new UsageError('--coco, --images and --out are required.');
    const preset = presetOption(ctx.values.preset);
    const dataset = await readCocoFile(coco);
    const samples = ctx.values.sample === undefined ? undefined : samplesFromFile(parseWith(SampleFileSchema, await readJsonFile(ctx.values.sample, 'sample file'), ctx.values.sample, 'sample file'));
    const plan = planReferences(dataset, {
      ...(samples === undefined ? {} : { samples }),
      ...(ctx.values.classes === undefined ? {} : { categoryIds: selectCategoryIds(ctx.values.classes, dataset) }),
      boxesOnly: ctx.values['boxes-only'] === true,
    });
    const total = [...plan.counts.values()].reduce((a, b) => a + b, 0);
    if (total === 0) throw new DatasetError('No reference annotation was selected.');
    await requireImages(images, [...new Set(plan.jobs.map((j) => j.image))]);

    const backend = await openBackend(ctx.values, ctx.env, (line) => ctx.stderr.write(`${line}\n`));
    const bar = new ProgressBar({ label: 'references', total, stream: ctx.stderr });
    let file;
    try {
      const { buildBank } = await import('../../datasets/bank-file.ts');
      file = await buildBank({
        backend,
        imagesDir: images,
        plan,
        proposals: preset,
        ...(ctx.values.name === undefined ? {} : { name: ctx.values.name }),
        signal: ctx.signal,
        onProgress: (done) => bar.update(done),
      });
    } finally {
      bar.finish();
      await backend.close();
    }
    await writeFile(out, `${JSON.stringify(file)}\n`);
    const fromBoxes = plan.jobs.flatMap((j) => j.entries).filter((e) => e.annotation.box !== undefined).length;
    const perClass = plan.classes.map((c) => `${c.name} ${plan.counts.get(c.id)}`).join(', ');
    ctx.stderr.write(
      `Bank: ${plan.classes.length} classes, ${total} references (${fromBoxes} from boxes through SAM2) → ${out}\n` +
        `  ${perClass}\n  model ${file.modelId} (via ${backend.where}), dim ${file.dim}\n`,
    );
  },
});
