// `refseg draw`: one evaluation image with its predictions (filled, as `refseg segment --overlay`)
// and ground truth (outlined) in class colours, to look at what went wrong.
import { readFile, writeFile } from 'node:fs/promises';
import { parseCocoResults } from '../../../shared/coco-eval/index.ts';
import type { CocoResult } from '../../../shared/coco-eval/index.ts';
import { formatFixed } from '../../../shared/coco-eval/index.ts';
import { DatasetError } from '../../datasets/errors.ts';
import { imagePath } from '../../datasets/images.ts';
import { readCocoFile, readJsonFile } from '../../datasets/json-file.ts';
import { UsageError, defineCommand, intOption } from '../command.ts';
import { columns } from '../table.ts';

export const draw = defineCommand({
  name: 'draw',
  summary: 'Draw predictions and ground truth of one image (PNG) to inspect failures',
  description:
    'Predictions from --results are drawn as `refseg segment --overlay` draws detections (translucent mask and box in the class ' +
    'colour); the ground truth of --coco is outlined on top in the same colours. A fill without an outline is a false positive, ' +
    'an outline without a fill a miss, two colours on one object a wrong class. Prints the colour of each class and, per ' +
    'ground-truth instance, the shown prediction that overlaps it most. The image is drawn as stored (EXIF orientation ignored), ' +
    'the grid COCO annotations refer to.',
  options: {
    coco: { type: 'string', valueName: 'val.json', description: 'Ground-truth COCO file (required)' },
    images: { type: 'string', valueName: 'dir', description: 'Folder the file_name of each image is relative to (required)' },
    results: { type: 'string', valueName: 'results.json', description: 'COCO results (e.g. from `refseg eval`); without it, only the ground truth' },
    'image-id': { type: 'string', valueName: 'id', description: 'The image, by id…' },
    file: { type: 'string', valueName: 'file_name', description: '…or by its file_name' },
    'min-score': { type: 'string', valueName: 's', default: '0.5', description: 'Draw predictions scoring at least this' },
    out: { type: 'string', short: 'o', valueName: 'png', description: 'Where to write the picture (required)' },
  },
  examples: ['refseg draw --coco val.json --images images --results results.json --image-id 1003 -o val-1003.png'],
  async run(ctx) {
    const v = ctx.values;
    if (v.coco === undefined || v.images === undefined || v.out === undefined) throw new UsageError('--coco, --images and --out are required.');
    if ((v['image-id'] === undefined) === (v.file === undefined)) throw new UsageError('Name the image with exactly one of --image-id and --file.');
    const minScore = Number(v['min-score']);
    if (!Number.isFinite(minScore)) throw new UsageError(`--min-score must be a number, not "${v['min-score']}".`);
    const gt = await readCocoFile(v.coco);
    const id = intOption(v['image-id'], '--image-id', Number.MIN_SAFE_INTEGER);
    const image = gt.images.find((i) => (id !== undefined ? i.id === id : i.file_name === v.file));
    if (image === undefined) throw new DatasetError(`No image ${id !== undefined ? `with id ${id}` : `named "${v.file}"`} in ${v.coco}.`);
    let results: CocoResult[] = [];
    if (v.results !== undefined) {
      try {
        results = parseCocoResults(await readJsonFile(v.results, 'results file'));
      } catch (err) {
        throw new DatasetError(`The results file ${v.results} is not valid: ${(err as Error).message}`, { cause: err });
      }
    }

    const { decodeImage } = await import('../../preprocess/index.ts');
    const { bestMatches, inspection, inspectionPng } = await import('../../datasets/draw.ts');
    const { rgbText } = await import('../../local/overlay.ts');
    const decoded = await decodeImage(new Uint8Array(await readFile(imagePath(v.images, image))), { orientation: 'ignore' });
    if (decoded.width !== image.width || decoded.height !== image.height) {
      throw new DatasetError(`Image ${image.id} is ${decoded.width}×${decoded.height} pixels, but the COCO file says ${image.width}×${image.height}.`);
    }
    const categories = [...gt.categories].sort((a, b) => a.id - b.id);
    const view = inspection(image, results, gt.annotations, categories.map((c) => c.id), minScore);
    const drawn = await inspectionPng(decoded.data, decoded.width, decoded.height, view, categories.map((c) => c.name));
    await writeFile(v.out, drawn.png);

    const name = (categoryId: number) => categories.find((c) => c.id === categoryId)?.name ?? String(categoryId);
    const shown = new Set([...view.predictions, ...view.groundTruth].map((x) => x.categoryId));
    const legend = categories.filter((c) => shown.has(c.id)).map((c) => [c.name, rgbText(drawn.colours.get(categories.indexOf(c))!)]);
    const matches = bestMatches(view).map((m) => {
      const p = m.prediction === null ? undefined : view.predictions[m.prediction];
      return [String(m.annId), name(m.categoryId), p === undefined ? '-' : name(p.categoryId), p === undefined ? '-' : formatFixed(p.score, 3), formatFixed(m.iou, 3)];
    });
    ctx.stdout.write(
      [
        `Image ${image.id} (${image.file_name}): ${view.predictions.length} predictions with score ≥ ${minScore}, ${view.groundTruth.length} ground-truth instances → ${v.out}`,
        '',
        ...columns([['CLASS', 'COLOUR'], ...legend]),
        '',
        ...columns([['GT ANN', 'GT CLASS', 'BEST PREDICTION', 'SCORE', 'MASK IOU'], ...matches]),
        '',
      ].join('\n'),
    );
  },
});
