// The paper's benchmark protocol end to end on a generated COCO-format dataset (test/datasets)
// with the stand-in models: `refseg sample` → `bank build` → `eval`, as the README shows it.
// Easy scenes must score high; mislabelled references must not; box-only references must work;
// an interrupted eval must resume with only the remaining images and end with the same numbers;
// a gpu-node and an edge must give what the models in this process give.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CocoDataset, CocoResult } from '../../shared/coco-eval/index.ts';
import { isValidReference } from '../../shared/sampling/index.ts';
import type { BankFile } from '../../shared/schemas.ts';
import { runCli } from '../../gpu-node/cli/main.ts';
import { startNodeEdge } from '../../edge/adapters/node.ts';
import { createMemoryStorage } from '../../edge/storage/memory.ts';
import { generateDataset } from '../datasets/generate.ts';
import type { GeneratedDataset } from '../datasets/generate.ts';
import { startStandinGpuNode } from '../edge/harness/gpu-node.ts';
import { generateStandins } from '../../gpu-node/standin/generate.ts';
import type { StandinPaths } from '../../gpu-node/standin/generate.ts';

const BIN = resolve(import.meta.dirname, '../../bin/refseg.mjs');
/** A 16×16 proposal grid instead of the preset's 32×32: the same answers on these scenes, a quarter of the decoder work. */
const GRID = ['--points-per-side', '16'];
const MINUTE = 60_000;

let dir: string;
let ds: GeneratedDataset;
let models: StandinPaths;
let refs: CocoDataset;
let val: CocoDataset;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

class Sink {
  text = '';
  write(s: string): boolean {
    this.text += s;
    return true;
  }
}

const modelArgs = () => ['--sam2', models.sam2A.dir, '--dinov2', models.dino, '--threads', '1'];
const at = (name: string) => join(dir, name);

/** `refseg …` in this process (models load in its worker threads). */
async function cli(args: string[], signal = new AbortController().signal): Promise<Run> {
  const stdout = new Sink();
  const stderr = new Sink();
  const code = await runCli(args, { stdout, stderr, env: { REFSEG_MODELS_DIR: at('no-models') }, signal });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** `refseg …` as a child process; `interrupt` sends SIGINT once it resolves. */
function child(args: string[], interrupt?: Promise<unknown>): Promise<Run> {
  return new Promise((done, fail) => {
    const p = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { ...process.env, REFSEG_MODELS_DIR: at('no-models') } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (b) => (stdout += b));
    p.stderr.on('data', (b) => (stderr += b));
    p.on('error', fail);
    p.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
    void interrupt?.then(() => p.kill('SIGINT'));
  });
}

function evalArgs(bank: string, out: string, extra: string[] = []): string[] {
  return ['eval', '--bank', at(bank), '--coco', ds.val, '--images', ds.imagesDir, '-o', at(out), ...GRID, ...modelArgs(), ...extra];
}

async function json<T>(name: string): Promise<T> {
  return JSON.parse(await readFile(at(name), 'utf8')) as T;
}

async function lines(path: string): Promise<number> {
  try {
    return (await readFile(path, 'utf8')).split('\n').filter((l) => l.trim() !== '').length;
  } catch {
    return 0;
  }
}

interface Metrics {
  bbox: { stats: number[]; perClass: { categoryId: number; ap: number }[] };
  segm: { stats: number[]; perClass: { categoryId: number; ap: number }[] };
  semantic?: { miou: number };
  boxConvention: string;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'refseg-dataset-eval-'));
  models = await generateStandins(at('models'));
  ds = await generateDataset(at('dataset'));
  refs = JSON.parse(await readFile(ds.refs, 'utf8'));
  val = JSON.parse(await readFile(ds.val, 'utf8'));
}, MINUTE);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('refseg sample', () => {
  it('as a child process: the official rules, keys in the order of each class\'s first annotation, Python json.dumps text', async () => {
    const run = await child(['sample', '--coco', ds.refs, '--shots', '3', '--seed', '33', '-o', at('samples.json')]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('Sampled 3 references for each of 4 classes with seed 33');
    const text = await readFile(at('samples.json'), 'utf8');
    const firstSeen = [...new Set(refs.annotations.map((a) => a.category_id))];
    expect([...text.matchAll(/"(\d+)": \[/g)].map((m) => Number(m[1]))).toEqual(firstSeen);
    expect(text).toMatch(/^\{"\d+": \[\{"img_id": \d+, "ann_ids": \[\d+\]\}, /);

    const samples = JSON.parse(text) as Record<string, { img_id: number; ann_ids: number[] }[]>;
    const images = new Map(refs.images.map((i) => [i.id, i]));
    const anns = new Map(refs.annotations.map((a) => [a.id, a]));
    for (const [cat, entries] of Object.entries(samples)) {
      expect(entries).toHaveLength(3);
      expect(new Set(entries.map((e) => e.img_id)).size).toBe(3);
      for (const e of entries) {
        const ann = anns.get(e.ann_ids[0])!;
        expect([ann.image_id, ann.category_id]).toEqual([e.img_id, Number(cat)]);
        expect(isValidReference(ann, images.get(e.img_id)!)).toBe(true);
      }
    }

    const list = await child(['sample', '--coco', ds.refs, '--shots', '3', '--seed', '33', '--format', 'list']);
    expect(list.code).toBe(0);
    const asList = JSON.parse(list.stdout) as { category_id: number; samples: unknown[] }[];
    expect(asList.map((c) => c.category_id)).toEqual(firstSeen);
    for (const c of asList) expect(c.samples).toEqual(samples[String(c.category_id)]);
  });

  it('names a misspelt class and its close names (exit 2); too few references is the official error (exit 1)', async () => {
    const typo = await cli(['sample', '--coco', ds.refs, '--shots', '1', '--classes', 'red disk']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('Unknown class name: "red disk" (did you mean "red disc"?)');
    const short = await cli(['sample', '--coco', ds.refs, '--shots', '50', '--seed', '1', '-o', at('never.json')]);
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/Reference for class \d+ is not enough/);
    await expect(stat(at('never.json'))).rejects.toThrow();
  });
});

describe('bank build → eval on the generated dataset', () => {
  let good: Metrics;
  let goodResults: CocoResult[];

  it('bank build from the sampled references: classes labelled by ascending category id', async () => {
    const run = await cli(['bank', 'build', '--coco', ds.refs, '--images', ds.imagesDir, '--sample', at('samples.json'), '-o', at('bank.json'), ...modelArgs()]);
    expect(run.code, run.stderr).toBe(0);
    const bank = await json<BankFile>('bank.json');
    const byId = [...refs.categories].sort((a, b) => a.id - b.id).map((c) => c.name);
    expect(bank.classes.map((c) => c.name)).toEqual(byId);
    const samples = await json<Record<string, { ann_ids: number[] }[]>>('samples.json');
    for (const cls of bank.classes) {
      const id = refs.categories.find((c) => c.name === cls.name)!.id;
      expect(cls.instances.map((r) => r.referenceId)).toEqual(samples[String(id)].map((e) => `ann-${e.ann_ids[0]}`));
      expect(cls.negatives).toEqual([]);
    }
    expect(bank.dim).toBe(32);
    expect(bank.modelId).toMatch(/^sam2:onnx-community:fp32:[0-9a-f]{16}\+dinov2:d32r0:[0-9a-f]{16}$/);
  }, 2 * MINUTE);

  it('eval as a child process: pycocotools summaries, segm AP ≥ 0.9 on the easy scenes, masks on the stored pixel grid', async () => {
    const run = await child(evalArgs('bank.json', 'results.json', ['--candidates-cache', at('cache'), '--metrics', at('metrics.json')]));
    expect(run.code, run.stderr).toBe(0);
    good = await json<Metrics>('metrics.json');
    goodResults = await json<CocoResult[]>('results.json');
    expect(good.boxConvention).toBe('true-extent');
    expect(run.stderr).toMatch(/detections → .*results\.json \(COCO boxes: true-extent\)/);
    expect(good.segm.stats[0]).toBeGreaterThanOrEqual(0.9);
    expect(good.bbox.stats[0]).toBeGreaterThanOrEqual(0.9);
    for (const type of ['bbox', 'segm']) expect(run.stdout).toContain(`Evaluate annotation type *${type}*\n Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = `);
    expect(run.stdout.match(/^ Average (Precision|Recall) +\((AP|AR)\) @\[ IoU=[0-9.:]+ +\| area= *[a-z]+ \| maxDets= *\d+ \] = -?\d\.\d{3}$/gm)).toHaveLength(24);
    expect(run.stdout).toMatch(/^CLASS +ID +GT +BBOX AP +SEGM AP$/m);
    for (const c of good.segm.perClass) expect(c.ap).toBeGreaterThanOrEqual(0.9);
    // Every image found something, and the EXIF-rotated JPEG (val-000) was read as stored.
    expect(new Set(goodResults.map((r) => r.image_id))).toEqual(new Set(val.images.map((i) => i.id)));
    const rotated = val.images.find((i) => i.file_name === 'val-000.jpg')!;
    for (const r of goodResults.filter((x) => x.image_id === rotated.id)) expect((r.segmentation as { size: number[] }).size).toEqual([rotated.height, rotated.width]);
  }, 4 * MINUTE);

  it('mislabelled references (every class given another class\'s references): AP collapses', async () => {
    const built = await cli(['bank', 'build', '--coco', ds.refsMislabelled, '--images', ds.imagesDir, '-o', at('bank-bad.json'), ...modelArgs()]);
    expect(built.code, built.stderr).toBe(0);
    const run = await cli(evalArgs('bank-bad.json', 'results-bad.json', ['--candidates-cache', at('cache'), '--metrics', at('metrics-bad.json')]));
    expect(run.code, run.stderr).toBe(0);
    // Same images, same models: every candidate set comes from the cache, only the matching ran.
    expect(run.stderr).toContain(`segmented ${val.images.length}, ${val.images.length} of them from the candidate cache`);
    const bad = await json<Metrics>('metrics-bad.json');
    expect(bad.segm.stats[0]).toBeLessThan(0.1);
    expect(good.segm.stats[0] - bad.segm.stats[0]).toBeGreaterThan(0.8);
    console.info(`segm AP: correct references ${good.segm.stats[0].toFixed(3)}, mislabelled ${bad.segm.stats[0].toFixed(3)}`);
  }, 2 * MINUTE);

  it('box-only references: SAM2 makes every reference mask, and the bank still finds everything', async () => {
    const boxes = JSON.parse(await readFile(ds.refsBoxes, 'utf8')) as CocoDataset;
    expect(boxes.annotations.every((a) => a.segmentation === undefined)).toBe(true);
    const built = await cli(['bank', 'build', '--coco', ds.refsBoxes, '--images', ds.imagesDir, '-o', at('bank-boxes.json'), ...modelArgs()]);
    expect(built.code, built.stderr).toBe(0);
    expect(built.stderr).toContain(`${boxes.annotations.length} references (${boxes.annotations.length} from boxes through SAM2)`);
    const run = await cli(evalArgs('bank-boxes.json', 'results-boxes.json', ['--candidates-cache', at('cache'), '--metrics', at('metrics-boxes.json')]));
    expect(run.code, run.stderr).toBe(0);
    const m = await json<Metrics>('metrics-boxes.json');
    expect(m.segm.stats[0]).toBeGreaterThanOrEqual(0.9);
  }, 2 * MINUTE);

  it('stopped by --max-images, the same command segments only the rest and ends with the same numbers', async () => {
    const args = evalArgs('bank.json', 'resumed.json', ['--candidates-cache', at('cache'), '--metrics', at('metrics-resumed.json')]);
    const first = await cli([...args, '--max-images', '2']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain(`Stopped after 2 of ${val.images.length} images (segmented 2`);
    await expect(stat(at('resumed.json'))).rejects.toThrow();
    expect(await lines(at('resumed.json.progress.jsonl'))).toBe(2);

    const second = await cli(args);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain(`Resuming: 2 images already done`);
    expect(second.stderr).toContain(`segmented ${val.images.length - 2}, ${val.images.length - 2} of them from the candidate cache; reused 2`);
    expect(await json<Metrics>('metrics-resumed.json')).toEqual(good);
    expect(await json<CocoResult[]>('resumed.json')).toEqual(goodResults);
  }, 2 * MINUTE);

  it('interrupted by Ctrl-C (child process, no cache): exits 130 keeping finished images; the rerun reuses them', async () => {
    const progress = at('interrupted.json.progress.jsonl');
    const args = evalArgs('bank.json', 'interrupted.json', ['--metrics', at('metrics-interrupted.json')]);
    const firstImageDone = (async () => {
      while ((await lines(progress)) < 1) await new Promise((r) => setTimeout(r, 100));
    })();
    const run = await child(args, firstImageDone);
    expect(run.code, run.stderr).toBe(130);
    expect(run.stderr).toMatch(/Stopped after \d of 6 images/);
    const kept = await lines(progress);
    expect(kept).toBeGreaterThanOrEqual(1);
    expect(kept).toBeLessThan(val.images.length);

    const rest = await cli([...args, '--candidates-cache', at('cache')]);
    expect(rest.code, rest.stderr).toBe(0);
    expect(rest.stderr).toContain(`reused ${kept}`);
    expect(await json<CocoResult[]>('interrupted.json')).toEqual(goodResults);
    expect(await json<Metrics>('metrics-interrupted.json')).toEqual(good);
  }, 4 * MINUTE);

  it('--official-box-compat reports the official one-pixel-short boxes of the same detections', async () => {
    const run = await cli(evalArgs('bank.json', 'compat.json', ['--candidates-cache', at('cache'), '--official-box-compat']));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('(COCO boxes: official-one-pixel-short)');
    const compat = await json<CocoResult[]>('compat.json');
    expect(compat).toHaveLength(goodResults.length);
    compat.forEach((r, i) => {
      const [x, y, w, h] = goodResults[i].bbox!;
      expect(r.bbox).toEqual([x, y, w - 1, h - 1]);
      expect(r.segmentation).toEqual(goodResults[i].segmentation);
    });
  }, 2 * MINUTE);

  it('--semantic: instances merged per class, mIoU high with the right references and low with mislabelled ones', async () => {
    const right = await cli(evalArgs('bank.json', 'results.json', ['--semantic', '--score-threshold', '0.5', '--metrics', at('semantic.json')]));
    expect(right.code, right.stderr).toBe(0);
    expect(right.stdout).toMatch(/^mIoU = \d\.\d{3} over 4 classes$/m);
    const wrong = await cli(evalArgs('bank-bad.json', 'results-bad.json', ['--semantic', '--score-threshold', '0.5', '--metrics', at('semantic-bad.json')]));
    expect(wrong.code, wrong.stderr).toBe(0);
    const miou = (await json<Metrics>('semantic.json')).semantic!.miou;
    const miouBad = (await json<Metrics>('semantic-bad.json')).semantic!.miou;
    expect(miou).toBeGreaterThanOrEqual(0.9);
    expect(miouBad).toBeLessThan(0.1);
    console.info(`semantic mIoU (score ≥ 0.5): correct references ${miou.toFixed(3)}, mislabelled ${miouBad.toFixed(3)}`);
  }, 2 * MINUTE);

  it('draw: a PNG of the image, and each ground-truth instance paired with its best prediction', async () => {
    const image = val.images.find((i) => i.file_name === 'val-003.png')!;
    const names = new Map(val.categories.map((c) => [c.id, c.name]));
    const args = (results: string, out: string) => ['draw', '--coco', ds.val, '--images', ds.imagesDir, '--results', at(results), '--image-id', String(image.id), '-o', at(out)];
    const rows = (stdout: string) =>
      stdout
        .split('\n')
        .filter((l) => /^\d+ {2}/.test(l))
        .map((l) => l.split(/ {2,}/));

    const right = await cli(args('results.json', 'right.png'));
    expect(right.code, right.stderr).toBe(0);
    const meta = await sharp(at('right.png')).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', image.width, image.height]);
    const gtAnns = val.annotations.filter((a) => a.image_id === image.id);
    expect(rows(right.stdout)).toHaveLength(gtAnns.length);
    for (const [annId, gtClass, predicted, , iou] of rows(right.stdout)) {
      expect(gtClass).toBe(names.get(gtAnns.find((a) => a.id === Number(annId))!.category_id));
      expect(predicted).toBe(gtClass);
      expect(Number(iou)).toBeGreaterThan(0.9);
    }
    const wrong = await cli(args('results-bad.json', 'wrong.png'));
    expect(wrong.code, wrong.stderr).toBe(0);
    for (const [, gtClass, predicted] of rows(wrong.stdout)) expect(predicted).not.toBe(gtClass);
  }, MINUTE);
});

describe('eval through a gpu-node and through an edge', () => {
  it('the same bank and the same results as each other, the temporary edge bank removed after', async () => {
    const node = await startStandinGpuNode();
    const admin = 'a'.repeat(40);
    const edge = await startNodeEdge({
      env: { REFSEG_GPU_NODES: node.url, REFSEG_GPU_SECRET: node.secret, REFSEG_ADMIN_KEY: admin, REFSEG_LOG: 'off', REFSEG_GPU_TIMEOUT_MS: String(10 * MINUTE) },
      port: 0,
      storage: createMemoryStorage(),
    });
    try {
      // References through the node equal references computed here.
      const remote = ['--gpu-node', node.url, '--secret', node.secret];
      const built = await cli(['bank', 'build', '--coco', ds.refs, '--images', ds.imagesDir, '--sample', at('samples.json'), '-o', at('bank-node.json'), ...remote]);
      expect(built.code, built.stderr).toBe(0);
      expect(await json<BankFile>('bank-node.json')).toEqual(await json<BankFile>('bank.json'));

      // One image at the official preset (32×32 grid): a gpu-node only takes presets by name.
      const image = val.images.find((i) => i.file_name === 'val-003.png')!;
      const one: CocoDataset = { ...val, images: [image], annotations: val.annotations.filter((a) => a.image_id === image.id) };
      await writeFile(at('val-one.json'), JSON.stringify(one));
      const evalOne = (out: string, extra: string[]) =>
        cli(['eval', '--bank', at('bank.json'), '--coco', at('val-one.json'), '--images', ds.imagesDir, '-o', at(out), '--metrics', at(`${out}.metrics`), ...extra]);

      const viaNode = await evalOne('node.json', remote);
      expect(viaNode.code, viaNode.stderr).toBe(0);
      expect((await json<Metrics>('node.json.metrics')).segm.stats[0]).toBeGreaterThanOrEqual(0.9);

      const created = await fetch(`${edge.url}/v1/admin/keys`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ tenant: 'evaluator' }),
      });
      expect(created.status).toBe(201);
      const { secret: key } = (await created.json()) as { secret: string };
      const viaEdge = await evalOne('edge.json', ['--edge', edge.url, '--key', key]);
      expect(viaEdge.code, viaEdge.stderr).toBe(0);
      expect(await json<CocoResult[]>('edge.json')).toEqual(await json<CocoResult[]>('node.json'));
      const banks = (await (await fetch(`${edge.url}/v1/banks`, { headers: { Authorization: `Bearer ${key}` } })).json()) as { banks: unknown[] };
      expect(banks.banks).toEqual([]);
    } finally {
      await edge.close();
      await node.close();
    }
  }, 6 * MINUTE);
});
