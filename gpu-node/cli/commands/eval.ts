// `refseg eval`: a bank against a COCO dataset, as the paper's benchmark does — every image
// segmented (here, on a gpu-node or through an edge), results written in COCO format, then
// pycocotools' bbox and segm summaries and per-class AP, or semantic mIoU. Each finished image is
// logged at once beside the output, so an interrupted run continues where it stopped.
import { rename, rm, writeFile } from 'node:fs/promises';
import { bytesToHex, sha256 } from '../../../shared/encoding/index.ts';
import { resolveCategoryIds } from '../../../shared/sampling/index.ts';
import { readBankFile } from '../../datasets/bank-file.ts';
import { DatasetError } from '../../datasets/errors.ts';
import { requireImages } from '../../datasets/images.ts';
import { readCocoFile } from '../../datasets/json-file.ts';
import type { ImageSegmenter } from '../../datasets/segmenter.ts';
import { UsageError, defineCommand, intOption } from '../command.ts';
import { ProgressBar } from '../progress.ts';
import { boxConventionOf } from '../../local/coco-results.ts';
import { imagesInFlight } from '../../pipeline/scheduler.ts';
import { defaultWorkers } from '../../pipeline/scheduler-threads.ts';
import { MATCHING_FLAGS, zeroScoreLabelOption } from './matching-flags.ts';
import { BACKEND_OPTIONS, openBackend, presetOption, proposalsOption } from './dataset-options.ts';

/** Where the per-image results of a run are kept until it completes (and reused after). */
function progressPathOf(out: string): string {
  return `${out}.progress.jsonl`;
}

async function fingerprintOf(parts: unknown): Promise<string> {
  return bytesToHex((await sha256(new TextEncoder().encode(JSON.stringify(parts)))).subarray(0, 16));
}

export const evalCommand = defineCommand({
  name: 'eval',
  summary: 'Evaluate a bank on a COCO dataset (AP like pycocotools, or semantic mIoU), resumable',
  description:
    'Segments every image of --coco with the bank, writes the detections as COCO results (--out) and prints pycocotools\' bbox and ' +
    'segm summaries and per-class AP. As the official evaluation, the ground truth keeps every image but only the annotations of the ' +
    'bank\'s classes (matched by name). Finished images are logged in <out>.progress.jsonl as they complete: run the same command ' +
    'again after an interruption (Ctrl-C, --max-images) and only the remaining images are segmented. Images are read as stored ' +
    '(EXIF orientation ignored). --semantic scores COCO-20i-style: instances merged per class, mIoU over the bank\'s classes.',
  options: {
    bank: { type: 'string', valueName: 'bank.json', description: 'Bank file (required)' },
    coco: { type: 'string', valueName: 'val.json', description: 'Ground-truth COCO file (required)' },
    images: { type: 'string', valueName: 'dir', description: 'Folder the file_name of each image is relative to (required)' },
    out: { type: 'string', short: 'o', valueName: 'results.json', description: 'COCO results file to write (required)' },
    'max-detections': { type: 'string', valueName: 'n', default: '100', description: 'Detections kept per image' },
    'points-per-side': { type: 'string', valueName: 'n', description: 'Proposal grid side instead of the preset\'s (models in this process only)' },
    'candidates-cache': { type: 'string', valueName: 'dir', description: 'Keep candidate sets here: evaluating other banks on the same images then needs no model work' },
    'max-images': { type: 'string', valueName: 'n', description: 'Segment at most n images in this run, then stop (run again to continue)' },
    fresh: { type: 'boolean', description: 'Discard the progress of earlier runs' },
    workers: {
      type: 'string',
      valueName: 'n',
      description: 'Model worker threads in this process (default: 2 with --provider cuda, the next image in the encoder while this one is decoded; 1 on CPU)',
    },
    'in-flight': {
      type: 'string',
      valueName: 'n',
      description: `Images segmented at once (default: enough to keep every pipeline lane busy, ${imagesInFlight(1)} with 1 or 2 workers; 1 with --edge)`,
    },
    semantic: { type: 'boolean', description: 'Semantic segmentation evaluation: mIoU over the bank\'s classes' },
    'score-threshold': { type: 'string', valueName: 'x', default: '0', description: 'With --semantic: leave out detections scoring below x' },
    metrics: { type: 'string', valueName: 'file', description: 'Also write the numbers as JSON' },
    edge: { type: 'string', valueName: 'url', description: 'Segment through this edge (the bank is imported as a temporary bank)' },
    key: { type: 'string', valueName: 'api-key', description: 'The edge API key (default: $REFSEG_API_KEY)' },
    ...MATCHING_FLAGS,
    ...BACKEND_OPTIONS,
  },
  examples: [
    'refseg eval --bank coco-novel-30shot.bank.json --coco instances_val2017.json --images val2017 -o results.json --official-box-compat',
    'refseg eval --bank bank.json --coco val.json --images images -o results.json --edge https://refseg.example.com --key "$REFSEG_API_KEY"',
    'refseg eval --bank fold0.bank.json --coco val.json --images images -o results.json --semantic --score-threshold 0.5',
  ],
  async run(ctx) {
    const v = ctx.values;
    if (v.bank === undefined || v.coco === undefined || v.images === undefined || v.out === undefined) {
      throw new UsageError('--bank, --coco, --images and --out are required.');
    }
    const preset = presetOption(v.preset);
    const proposals = proposalsOption(preset, v['points-per-side']);
    const maxDetections = intOption(v['max-detections'], '--max-detections', 1)!;
    const maxImages = intOption(v['max-images'], '--max-images', 0);
    const scoreThreshold = Number(v['score-threshold']);
    if (!Number.isFinite(scoreThreshold)) throw new UsageError(`--score-threshold must be a number, not "${v['score-threshold']}".`);
    const notWithEdge = (['gpu-node', 'points-per-side', 'candidates-cache', 'models', 'sam2', 'dinov2', 'workers'] as const).filter((o) => v[o] !== undefined);
    if (v.edge !== undefined && notWithEdge.length > 0) {
      throw new UsageError(`--edge runs the models, proposals and cache of the edge: it cannot go with --${notWithEdge.join(', --')}.`);
    }
    if (v['gpu-node'] !== undefined && v.workers !== undefined) throw new UsageError('--workers is for models in this process; it cannot go with --gpu-node.');
    const workers = intOption(v.workers, '--workers', 1) ?? defaultWorkers(v.provider ?? 'cpu');
    // A gpu-node pipelines concurrent requests the same way (its own workers); an edge gets one at a time.
    const inFlight = intOption(v['in-flight'], '--in-flight', 1) ?? (v.edge === undefined ? imagesInFlight(workers) : 1);
    const matching = { maxDetections, officialBoxCompat: v['official-box-compat'] === true, zeroScoreLabel: zeroScoreLabelOption(v['zero-score-label']) };

    const [gt, bankFile] = await Promise.all([readCocoFile(v.coco), readBankFile(v.bank)]);
    const classNames = bankFile.classes.map((c) => c.name);
    // Bank labels → ground-truth category ids, by class name.
    resolveCategoryIds(gt.categories, classNames);
    const idOf = new Map(gt.categories.map((c) => [c.name, c.id]));
    const categoryIds = classNames.map((name) => idOf.get(name)!);
    const images = [...gt.images].sort((a, b) => a.id - b.id);
    await requireImages(v.images, images);

    let segmenter: ImageSegmenter;
    if (v.edge !== undefined) {
      const apiKey = v.key ?? ctx.env.REFSEG_API_KEY;
      if (!apiKey) throw new UsageError('--edge needs --key (or $REFSEG_API_KEY).');
      const { openEdgeSegmenter } = await import('../../datasets/edge-segmenter.ts');
      segmenter = await openEdgeSegmenter({ url: v.edge, apiKey, bank: bankFile, options: { ...matching, preset } });
    } else {
      const backend = await openBackend(v, ctx.env, (line) => ctx.stderr.write(`${line}\n`), workers);
      try {
        const [{ loadBank }, { modelSegmenter }, { CandidateCache }] = await Promise.all([
          import('../../datasets/bank-file.ts'),
          import('../../datasets/segmenter.ts'),
          import('../../datasets/candidate-cache.ts'),
        ]);
        const bank = loadBank(bankFile, { modelId: backend.modelId, dim: backend.dim });
        if (bank.negatives.some((n) => n.length > 0)) ctx.stderr.write('The bank has negative references: they damp scores as on the edge.\n');
        const cache = v['candidates-cache'] === undefined ? undefined : new CandidateCache(v['candidates-cache']);
        segmenter = modelSegmenter({ backend, bank, proposals, matching, ...(cache === undefined ? {} : { cache }) });
      } catch (err) {
        await backend.close();
        throw err;
      }
    }

    const { openProgressLog } = await import('../../datasets/progress-log.ts');
    const { runEvaluation } = await import('../../datasets/eval-run.ts');
    const progressPath = progressPathOf(v.out);
    if (v.fresh) await rm(progressPath, { force: true });
    const fingerprint = await fingerprintOf({ bank: bankFile, categoryIds, segmenter: segmenter.identity });
    const log = await openProgressLog(progressPath, fingerprint);
    if (log.done.size > 0) ctx.stderr.write(`Resuming: ${log.done.size} images already done (${progressPath}).\n`);
    const bar = new ProgressBar({ label: 'eval', total: images.length, stream: ctx.stderr });
    let run;
    try {
      run = await runEvaluation({
        images,
        imagesDir: v.images,
        segmenter,
        categoryIds,
        log,
        fingerprint,
        signal: ctx.signal,
        inFlight,
        ...(maxImages === undefined ? {} : { maxImages }),
        onProgress: (s) => bar.update(s.done),
      });
    } finally {
      bar.finish();
      await log.close();
      await segmenter.close();
    }
    const counts = `segmented ${run.segmented}${run.cached > 0 ? `, ${run.cached} of them from the candidate cache` : ''}; reused ${run.reused}`;
    if (!run.complete) {
      const stopped = `Stopped after ${run.done} of ${run.total} images (${counts}); run the same command again to continue.`;
      // Interrupted: the framework prints this and exits with the interrupted code.
      if (run.stoppedBy === 'signal') throw new DatasetError(stopped);
      ctx.stderr.write(`${stopped}\n`);
      return;
    }
    const tmp = `${v.out}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(run.results)}\n`);
    await rename(tmp, v.out);
    const boxConvention = boxConventionOf(matching.officialBoxCompat);
    ctx.stderr.write(`${run.total} images (${counts}), ${run.results.length} detections → ${v.out} (COCO boxes: ${boxConvention})\n`);

    const { classRows, evaluateInstances, evaluateSemantic, formatPerClassAp, formatSemantic, formatSummaries, groundTruthFor, metricsJson } = await import(
      '../../datasets/evaluate.ts'
    );
    const evalGt = groundTruthFor(gt, categoryIds);
    const rows = classRows(evalGt, categoryIds);
    if (v.semantic) {
      const semantic = evaluateSemantic(evalGt, run.results, categoryIds, scoreThreshold);
      ctx.stdout.write(formatSemantic(rows, semantic));
      if (v.metrics !== undefined) await writeFile(v.metrics, `${JSON.stringify({ ...metricsJson(rows, undefined, semantic), boxConvention }, null, 2)}\n`);
    } else {
      const instances = evaluateInstances(evalGt, run.results);
      ctx.stdout.write(`${formatSummaries(instances)}\nPer-class AP@[.50:.95]:\n${formatPerClassAp(rows, instances)}`);
      if (v.metrics !== undefined) await writeFile(v.metrics, `${JSON.stringify({ ...metricsJson(rows, instances), boxConvention }, null, 2)}\n`);
    }
  },
});
