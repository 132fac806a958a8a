// End to end on stand-in models: references drawn on their own images (masks, and one box that
// SAM2 turns into a mask) → instance vectors → prototypes → a synthetic scene, through the HTTP
// service and through the command-line tool. Every drawn instance must come back with its class
// and a mask of IoU ≥ 0.9 with the drawing; the class that is not in the scene must not.
//
// Threshold for "not found": no detection of the absent class (nor any detection that is not one
// of the drawn instances) scores 0.3 or more. Stand-in DINOv2 features are Gaussian responses to
// palette colours with σ² = 2 (ImageNet units) plus a small position term; two palette colours are
// ≥ 2.2 units apart, so different colours have cosine ≲ 0.1, while a mask of the reference's own
// colour scores ≥ 0.9 (measured: 0.97–0.99). 0.3 leaves a wide margin on both sides.
//
// Parametrised over the SAM2 layouts and DINOv2 token layouts: format A (onnx-community) with plain
// DINOv2, format B (samexporter) with the register variant — every variant once; the SAM2 layout
// and the register count are independent code paths (decoder feeds vs. token slicing).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GpuSegmentResponseSchema, ReferenceVectorsResponseSchema } from '../../shared/api/gpu-node.ts';
import type { GpuReferenceAnnotation } from '../../shared/api/gpu-node.ts';
import { prototypes } from '../../shared/bank/index.ts';
import { decodeRle, encodeMask, rleIou, rleToBbox } from '../../shared/coco-mask/index.ts';
import { base64ToBytes, bytesToBase64, readFloat32LE, toLittleEndianBytes } from '../../shared/encoding/index.ts';
import { extractCandidates, matchCandidates, lowResPlanes, segmentOfficial } from '../../shared/matching/index.ts';
import type { Detection, Rle } from '../../shared/types.ts';
import { decodeCandidateSet } from '../../shared/wire/index.ts';
import { classColours, FILL_ALPHA } from '../../shared/render/overlay.ts';
import { colourDistance } from '../../shared/render/rgb.ts';
import { runCli } from '../../gpu-node/cli/main.ts';
import { serveGpuNode } from '../../gpu-node/http/server.ts';
import type { RunningNode } from '../../gpu-node/http/server.ts';
import { analyseTarget, openPipeline, proposalInput, resolveProposalConfig } from '../../gpu-node/pipeline/index.ts';
import type { GpuPipeline } from '../../gpu-node/pipeline/index.ts';
import { generateStandins } from '../../gpu-node/standin/generate.ts';
import type { StandinPaths } from '../../gpu-node/standin/generate.ts';
import { CLASS_COLOURS, maskRle, pngOf, referenceFixtures, TARGET_OBJECTS, targetScene, writeSceneFiles } from '../../gpu-node/standin/samples.ts';
import type { SceneClass } from '../../gpu-node/standin/samples.ts';

const SECRET = 'e2e-secret';
const ABSENT: SceneClass = 'yellow';
const ABSENT_MAX_SCORE = 0.3;
const MIN_MASK_IOU = 0.9;
const THREADS = 2;

const scene = targetScene();
const targetTruth = TARGET_OBJECTS.map((o, i) => ({ class: o.class, mask: maskRle(scene, i) }));
let dir: string;
let paths: StandinPaths;
let targetPng: Uint8Array;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'refseg-e2e-'));
  paths = await generateStandins(join(dir, 'models'), { dinoDim: 32 });
  targetPng = await pngOf(scene);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function iou(a: Rle, b: Rle): number {
  return rleIou([a], [b], [0])[0][0];
}

interface Found {
  class: string;
  score: number;
  mask: Rle;
}

/** Every drawn instance found with its class; nothing else, and nothing of the absent class, at ≥ 0.3. */
function expectSceneFound(found: readonly Found[]): void {
  for (const truth of targetTruth) {
    const best = Math.max(0, ...found.filter((d) => d.class === truth.class).map((d) => iou(d.mask, truth.mask)));
    expect(best, `${truth.class} instance`).toBeGreaterThanOrEqual(MIN_MASK_IOU);
  }
  for (const d of found) {
    if (d.score < ABSENT_MAX_SCORE) continue;
    expect(d.class).not.toBe(ABSENT);
    const matches = targetTruth.some((t) => t.class === d.class && iou(d.mask, t.mask) >= MIN_MASK_IOU);
    expect(matches, `detection ${d.class} ${d.score.toFixed(3)} is a drawn instance`).toBe(true);
  }
  expect(found.filter((d) => d.score >= ABSENT_MAX_SCORE).length).toBe(targetTruth.length);
}

function form(parts: Record<string, string | Uint8Array>): FormData {
  const f = new FormData();
  for (const [name, value] of Object.entries(parts)) {
    if (typeof value === 'string') f.append(name, value);
    else f.append(name, new Blob([value as Uint8Array<ArrayBuffer>], { type: 'image/png' }), `${name}.png`);
  }
  return f;
}

const auth = { Authorization: `Bearer ${SECRET}` };

const COMBOS = [
  { name: 'SAM2 format A (onnx-community) + DINOv2', sam2: (p: StandinPaths) => p.sam2A.dir, dino: (p: StandinPaths) => p.dino, registers: 0 },
  { name: 'SAM2 format B (samexporter) + DINOv2 with registers', sam2: (p: StandinPaths) => p.sam2B.dir, dino: (p: StandinPaths) => p.dinoRegisters, registers: 4 },
] as const;

describe.each(COMBOS)('$name over HTTP', (combo) => {
  let pipeline: GpuPipeline;
  let node: RunningNode;
  let classes: SceneClass[];
  let protoRows: Float64Array[];
  let segmented: Detection[];
  const answers: { status: number; body: unknown }[] = [];

  beforeAll(async () => {
    pipeline = await openPipeline({ sam2Dir: combo.sam2(paths), dinoPath: combo.dino(paths), threads: { intraOp: THREADS } });
    node = await serveGpuNode({ pipeline, secret: SECRET, port: 0, log: () => {} });
    for (const ref of referenceFixtures()) {
      const annotation: GpuReferenceAnnotation = ref.box ? { class: ref.class, box: ref.box } : { class: ref.class, mask: maskRle(ref.scene) };
      const res = await fetch(`${node.url}/v1/reference-vectors`, {
        method: 'POST',
        headers: auth,
        body: form({ image: await pngOf(ref.scene), annotations: JSON.stringify([annotation]) }),
      });
      answers.push({ status: res.status, body: await res.json() });
    }
  });
  afterAll(async () => {
    await node?.close();
    await pipeline?.close();
  });

  it('turns mask and box references on other images into instance vectors', () => {
    expect(pipeline.info.dino.registers).toBe(combo.registers);
    const vectors = new Map<SceneClass, Float32Array[]>();
    for (const [i, ref] of referenceFixtures().entries()) {
      expect(answers[i].status).toBe(200);
      const body = ReferenceVectorsResponseSchema.parse(answers[i].body);
      const [r] = body.references;
      expect([body.width, body.height, body.dim, body.modelId]).toEqual([ref.scene.width, ref.scene.height, 32, pipeline.modelId]);
      expect(r.maskSource).toBe(ref.box ? 'sam2-box' : 'given');
      // A box becomes SAM2's mask of the drawn shape; a given mask comes back unchanged.
      expect(iou(r.mask, maskRle(ref.scene))).toBeGreaterThanOrEqual(ref.box ? MIN_MASK_IOU : 1);
      const vector = readFloat32LE(base64ToBytes(r.vector), 0, body.dim);
      expect(vector.every(Number.isFinite)).toBe(true);
      vectors.set(ref.class, [...(vectors.get(ref.class) ?? []), vector]);
    }
    classes = [...vectors.keys()];
    expect(classes).toEqual(['red', 'green', 'blue', 'yellow']);
    protoRows = prototypes(classes.map((c) => vectors.get(c)!)).normalized;
    // The box reference and the mask reference of red agree: same colour, cosine near 1.
    const [a, b] = vectors.get('red')!;
    const cos = a.reduce((s, v, k) => s + v * b[k], 0) / Math.hypot(...a) / Math.hypot(...b);
    expect(cos).toBeGreaterThan(0.9);
  });

  it('finds every drawn instance with the right class and no instance of the absent class', async () => {
    const request = { classes, prototypes: bytesToBase64(toLittleEndianBytes(Float32Array.from(protoRows.flatMap((p) => Array.from(p))))) };
    const res = await fetch(`${node.url}/v1/segment`, { method: 'POST', headers: auth, body: form({ image: targetPng, request: JSON.stringify(request) }) });
    expect(res.status).toBe(200);
    const body = GpuSegmentResponseSchema.parse(await res.json());
    expect([body.width, body.height, body.modelId]).toEqual([scene.width, scene.height, pipeline.modelId]);
    expectSceneFound(body.detections);
    segmented = body.detections.map(({ class: _c, ...d }) => d as Detection);
  });

  if (combo.registers === 0) {
    it('gives the same detections when the edge matches the node\'s binary candidate set itself', async () => {
      const res = await fetch(`${node.url}/v1/candidates`, { method: 'POST', headers: auth, body: targetPng as Uint8Array<ArrayBuffer> });
      expect(res.status).toBe(200);
      const set = decodeCandidateSet(new Uint8Array(await res.arrayBuffer()));
      expect(set.pipelineId).toBe('official/v1;grid=32;iou>0.4;nme=removed;clip=none');
      expect(matchCandidates(set, protoRows)).toEqual(segmented);
    });

    it('finds every instance with the sam2-amg preset too', async () => {
      const request = { classes, prototypes: bytesToBase64(toLittleEndianBytes(Float32Array.from(protoRows.flatMap((p) => Array.from(p))))), preset: 'sam2-amg' };
      const res = await fetch(`${node.url}/v1/segment`, { method: 'POST', headers: auth, body: form({ image: targetPng, request: JSON.stringify(request) }) });
      const body = GpuSegmentResponseSchema.parse(await res.json());
      expect(body.pipelineId).toMatch(/^sam2-amg\//);
      expectSceneFound(body.detections);
    });
  } else {
    it('gives identical detections through candidate extraction + matching and through segmentOfficial', async () => {
      const target = await analyseTarget(pipeline.models, targetPng);
      const input = await proposalInput(pipeline.models.sam2, target, resolveProposalConfig('official'));
      const official = segmentOfficial({ ...input, prototypes: protoRows });
      const set = extractCandidates(input, { imageSha256: target.imageSha256, modelId: pipeline.modelId, pipelineId: pipeline.pipelineId() });
      const matched = matchCandidates(set, protoRows);
      // Candidate k is the k-th proposal with a non-empty 256-grid mask.
      const proposalOf: number[] = [];
      const planes = lowResPlanes(input.lowResLogits);
      for (let i = 0; i < input.iou.length; i++) if (planes.scan(i).area > 0) proposalOf.push(i);
      expect(proposalOf.length).toBe(set.candidates.length);
      expect(official.length).toBeGreaterThanOrEqual(targetTruth.length);
      expect(official).toEqual(matched.map((d) => ({ ...d, index: proposalOf[d.index] })));
      // And the HTTP answer is the same computation.
      expect(segmented).toEqual(matched);
    });

    it('takes polygons and a crop box as well, pooling the same colour to the same vector direction', async () => {
      const ref = referenceFixtures()[3].scene; // blue disc r = 52 at (120, 110)
      // The octagon around the disc (its sides touch the circle).
      const r = 52 / Math.cos(Math.PI / 8);
      const octagon = Array.from({ length: 8 }, (_, k) => [120 + r * Math.cos((k * Math.PI) / 4), 110 + r * Math.sin((k * Math.PI) / 4)]).flat();
      const annotations = [
        { class: 'blue', polygons: [octagon] },
        { class: 'blue', mask: maskRle(ref), bbox: [60, 50, 120, 120] },
      ];
      const res = await fetch(`${node.url}/v1/reference-vectors`, { method: 'POST', headers: auth, body: form({ image: await pngOf(ref), annotations: JSON.stringify(annotations) }) });
      expect(res.status).toBe(200);
      const body = ReferenceVectorsResponseSchema.parse(await res.json());
      expect(body.references.map((r) => r.maskSource)).toEqual(['given', 'given']);
      expect(iou(body.references[0].mask, maskRle(ref))).toBeGreaterThan(0.9);
      const [a, b] = body.references.map((r) => readFloat32LE(base64ToBytes(r.vector), 0, body.dim));
      const cos = a.reduce((s, v, k) => s + v * b[k], 0) / Math.hypot(...a) / Math.hypot(...b);
      expect(cos).toBeGreaterThan(0.95);
      // A different crop box changes the crop, hence the soft weights: not the same numbers.
      expect(Array.from(a)).not.toEqual(Array.from(b));
    });

    it('refuses a reference whose mask covers no patch sample point with a 422', async () => {
      const ref = referenceFixtures()[2].scene;
      // A 200×1 line on row 111: its crop is the full 224 rows, whose 37 sample rows land on source
      // rows 6.054·r − 0.28 (… 108.7, 114.7 …), none within one row of 111, so every weight is 0.
      const pixel = new Uint8Array(ref.width * ref.height);
      pixel.fill(1, 111 * ref.width + 20, 111 * ref.width + 220);
      const res = await fetch(`${node.url}/v1/reference-vectors`, {
        method: 'POST',
        headers: auth,
        body: form({ image: await pngOf(ref), annotations: JSON.stringify([{ class: 'green', mask: encodeMask(pixel, ref.height, ref.width) }]) }),
      });
      expect(res.status).toBe(422);
      const problem = await res.json();
      expect(problem.type).toBe('https://refseg.dev/problems/empty-reference');
      expect(problem.detail).toMatch(/covers no patch sample point/);
      expect(problem.field).toBe('annotations[0]');
    });
  }
});

/** --ref/--ref-class/--ref-mask/--ref-box of every scene reference. */
function segmentArgs(files: Awaited<ReturnType<typeof writeSceneFiles>>): string[] {
  const args: string[] = [];
  const hasBox = files.references.some((r) => r.box);
  for (const [i, r] of files.references.entries()) {
    // Masks alternate between PNG and RLE JSON files; `-` marks what a reference does not have.
    const mask = r.maskPng === undefined ? '-' : i % 2 === 0 ? r.maskPng : r.maskJson!;
    args.push('--ref', r.image, '--ref-class', r.class, '--ref-mask', mask);
    if (hasBox) args.push('--ref-box', r.box ? r.box.join(',') : '-');
  }
  return args;
}

describe('refseg segment (command line, no server)', () => {
  it('writes COCO results with every instance and an overlay picture', async () => {
    const files = await writeSceneFiles(join(dir, 'cli'));
    const args = segmentArgs(files);
    const out = join(dir, 'cli', 'result.json');
    const overlay = join(dir, 'cli', 'overlay.png');
    let stderr = '';
    let stdout = '';
    const code = await runCli(
      ['segment', ...args, '--target', files.target, '--out', out, '--overlay', overlay, '--sam2', paths.sam2B.dir, '--dinov2', paths.dino, '--threads', String(THREADS)],
      {
        stdout: { write: (s: string) => (stdout += s) },
        stderr: { write: (s: string) => (stderr += s) },
        env: {},
        signal: new AbortController().signal,
      },
    );
    expect(code, stderr).toBe(0);
    const doc = JSON.parse(await readFile(out, 'utf8'));
    expect(doc.categories).toEqual(['red', 'green', 'blue', 'yellow'].map((name, i) => ({ id: i + 1, name })));
    expect(doc.images).toEqual([{ id: 1, file_name: 'target.png', width: scene.width, height: scene.height }]);
    expect(doc.info).toMatchObject({ box_convention: 'true-extent' });
    for (const a of doc.annotations as { bbox: number[]; segmentation: Rle }[]) expect(a.bbox).toEqual(rleToBbox(a.segmentation));
    const names = new Map<number, string>(doc.categories.map((c: { id: number; name: string }) => [c.id, c.name]));
    expectSceneFound(doc.annotations.map((a: { category_id: number; score: number; segmentation: Rle }) => ({ class: names.get(a.category_id)!, score: a.score, mask: a.segmentation })));
    // The default --min-score (0.3) leaves the instances and none of the background fragments.
    expect(doc.annotations).toHaveLength(TARGET_OBJECTS.length);
    expect(stdout).toMatch(/CLASS\s+SCORE/);
    // Piped output logs the bar at most every few seconds, so which intermediate stages show up
    // depends on speed; the first and the final (100 %) lines are always there.
    expect(stderr).toMatch(/references\s+0%/);
    expect(stderr).toMatch(/target: candidates\s+100%\s+(\d+)\/\1/);

    // The centre of the red disc: red, tinted towards the class colour of every detection whose
    // mask holds it, best detection last; no outline or chip passes there. The class colours are
    // the ones picked for this image, none of them close to the red, green and blue of the objects.
    const { data, info } = await sharp(await readFile(overlay)).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([scene.width, scene.height]);
    const detections = (doc.annotations as { category_id: number; score: number; segmentation: Rle; area: number }[]).map((a) => ({ label: a.category_id - 1, area: a.area, mask: a.segmentation }));
    const colours = classColours(scene.data, detections as Detection[]);
    for (const [label, colour] of colours) {
      expect(colourDistance(colour, CLASS_COLOURS[doc.categories[label].name as SceneClass]), doc.categories[label].name).toBeGreaterThan(300);
    }
    const [px, py] = [100, 100];
    const covering = doc.annotations.filter((a: { segmentation: Rle }) => decodeRle(a.segmentation)[py * scene.width + px] === 1);
    expect(covering[0].category_id).toBe(1);
    let expected: number[] = [...CLASS_COLOURS.red];
    for (const a of [...covering].reverse()) {
      const tint = colours.get(a.category_id - 1)!;
      expected = expected.map((v, k) => Math.round(v * (1 - FILL_ALPHA) + tint[k] * FILL_ALPHA));
    }
    expect(Array.from(data.subarray((py * scene.width + px) * info.channels, (py * scene.width + px) * info.channels + 3))).toEqual(expected);
    // The best detection's chip sits above its box: black border, then the class colour.
    const best = doc.annotations[0] as { category_id: number; bbox: number[] };
    const [bx, by] = best.bbox;
    const chipTop = by - 12;
    const pixel = (x: number, y: number) => Array.from(data.subarray((y * scene.width + x) * info.channels, (y * scene.width + x) * info.channels + 3));
    expect(pixel(bx, chipTop)).toEqual([0, 0, 0]);
    expect(pixel(bx + 1, chipTop + 1)).toEqual([...colours.get(best.category_id - 1)!]);
  });

  it('--official-box-compat writes the official one-pixel-short boxes of the same detections, and says so', async () => {
    // The same command as the test above (whose result.json this reads), plus the flag.
    const files = await writeSceneFiles(join(dir, 'cli'));
    let stdout = '';
    let stderr = '';
    const code = await runCli(
      ['segment', ...segmentArgs(files), '--target', files.target, '-q', '--official-box-compat', '--sam2', paths.sam2B.dir, '--dinov2', paths.dino, '--threads', String(THREADS)],
      {
        stdout: { write: (s: string) => (stdout += s) },
        stderr: { write: (s: string) => (stderr += s) },
        env: {},
        signal: new AbortController().signal,
      },
    );
    expect(code, stderr).toBe(0);
    const plain = JSON.parse(await readFile(join(dir, 'cli', 'result.json'), 'utf8'));
    const compat = JSON.parse(stdout);
    expect(compat.info.box_convention).toBe('official-one-pixel-short');
    expect(compat.info.box_convention_note).toMatch(/x2 - x1, y2 - y1/);
    expect(compat.annotations.length).toBeGreaterThan(0);
    expect(compat.annotations.length).toBe(plain.annotations.length);
    compat.annotations.forEach((a: { bbox: number[]; segmentation: Rle }, i: number) => {
      const [x, y, w, h] = plain.annotations[i].bbox;
      expect(a.bbox).toEqual([x, y, w - 1, h - 1]);
      expect(a.segmentation).toEqual(plain.annotations[i].segmentation);
    });
  });
});

describe('refseg segment --backend web', () => {
  it('onnxruntime-web WASM writes the same detections as the default onnxruntime-node run', async () => {
    // Reads the result.json of the first command-line test above (same files, same flags).
    const files = await writeSceneFiles(join(dir, 'cli'));
    let stdout = '';
    let stderr = '';
    const code = await runCli(
      ['segment', ...segmentArgs(files), '--target', files.target, '-q', '--backend', 'web', '--sam2', paths.sam2B.dir, '--dinov2', paths.dino, '--threads', String(THREADS)],
      {
        stdout: { write: (s: string) => (stdout += s) },
        stderr: { write: (s: string) => (stderr += s) },
        env: {},
        signal: new AbortController().signal,
      },
    );
    expect(code, stderr).toBe(0);
    const node = JSON.parse(await readFile(join(dir, 'cli', 'result.json'), 'utf8'));
    const web = JSON.parse(stdout);
    expect(web.annotations.length).toBe(TARGET_OBJECTS.length);
    type Annotation = { category_id: number; bbox: number[]; segmentation: Rle; score: number };
    const [w, n] = [web.annotations as Annotation[], node.annotations as Annotation[]];
    expect(w.map((a) => [a.category_id, a.bbox])).toEqual(n.map((a) => [a.category_id, a.bbox]));
    // A pixel whose upsampled logit lies within the runtimes' float difference of 0 may flip
    // (docs/on-device.md): measured 2 pixels of 5 × 512×384 here; allowed 1e-5 of them.
    let differing = 0;
    for (let i = 0; i < w.length; i++) {
      expect(Math.abs(w[i].score - n[i].score)).toBeLessThan(1e-4);
      const [mw, mn] = [decodeRle(w[i].segmentation), decodeRle(n[i].segmentation)];
      for (let j = 0; j < mw.length; j++) if (mw[j] !== mn[j]) differing++;
    }
    expect(differing).toBeLessThanOrEqual(Math.floor(1e-5 * w.length * scene.width * scene.height));
  });
});

describe('refseg serve-gpu', () => {
  it('opens the port at once, turns ready when the models are in, and stops on Ctrl-C', async () => {
    const controller = new AbortController();
    let stdout = '';
    let stderr = '';
    const code = runCli(['serve-gpu', '--port', '0', '--secret', SECRET, '--sam2', paths.sam2A.dir, '--dinov2', paths.dinoRegisters, '--threads', '1'], {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      env: {},
      signal: controller.signal,
    });
    let url: string | undefined;
    for (let i = 0; i < 600 && !(stdout.includes('gpu-node ready') && url); i++) {
      url ??= /listening on (http:\/\/\S+)/.exec(stdout)?.[1];
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(url, stderr).toBeDefined();
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const info = await (await fetch(`${url}/v1/info`, { headers: auth })).json();
    expect([info.layout, info.registers, info.dim]).toEqual(['onnx-community', 4, 32]);
    expect((await fetch(`${url}/v1/info`)).status).toBe(401);
    controller.abort();
    expect(await code).toBe(0);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});
