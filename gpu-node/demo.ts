// `npm run demo`: the whole method offline on stand-in models. Generates the stand-in ONNX models
// (once, into the cache folder), draws a scene with five instances of three classes and one
// reference image per class (plus a box-only reference and a class that is not in the scene),
// runs references → prototypes → detections, prints what was found and writes
// out/demo-overlay.png.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DEFAULT_MIN_SCORE } from './cli/commands/segment.ts';
import { ProgressBar } from './cli/progress.ts';
import { columns } from './cli/table.ts';
import { overlayPng, rgbText } from './local/overlay.ts';
import { segmentLocally } from './local/run-local.ts';
import type { LocalReference } from './local/run-local.ts';
import { openPipeline } from './pipeline/index.ts';
import { standinModels } from './standin/cache.ts';
import { maskRle, pngOf, referenceFixtures, TARGET_OBJECTS, targetScene } from './standin/samples.ts';

/** Detections below this are weak proposals (background, fragments): the CLI's default, not shown. */
const SHOW_FROM = DEFAULT_MIN_SCORE;

async function main(): Promise<void> {
  const models = await standinModels(process.env, (line) => process.stderr.write(`${line}\n`));
  const scene = targetScene();
  const references: LocalReference[] = [];
  for (const ref of referenceFixtures()) {
    references.push({
      image: await pngOf(ref.scene),
      annotation: ref.box ? { class: ref.class, box: ref.box } : { class: ref.class, mask: maskRle(ref.scene) },
    });
  }
  process.stderr.write('Loading the stand-in models…\n');
  const pipeline = await openPipeline({ ...models, log: (l) => process.stderr.write(`${l}\n`) });
  try {
    const bar = new ProgressBar({ label: 'demo', stream: process.stderr });
    const run = await segmentLocally(pipeline, references, await pngOf(scene), {
      options: { scoreThreshold: SHOW_FROM },
      onProgress: (p) => {
        bar.setLabel(p.label);
        bar.update(p.done, p.total);
      },
    });
    bar.finish();

    const out = resolve('out');
    await mkdir(out, { recursive: true });
    const overlay = join(out, 'demo-overlay.png');
    const { png, colours } = await overlayPng(scene.data, scene.width, scene.height, run.detections, run.classes);
    await writeFile(overlay, png);

    const drawn = TARGET_OBJECTS.reduce<Record<string, number>>((n, o) => ({ ...n, [o.class]: (n[o.class] ?? 0) + 1 }), {});
    const boxRefs = references.filter((r) => r.annotation.box).length;
    console.log(`Scene ${scene.width}×${scene.height} with ${TARGET_OBJECTS.length} instances (${Object.entries(drawn).map(([c, n]) => `${n} ${c}`).join(', ')}).`);
    console.log(`${references.length} references on their own images (${boxRefs} given as a box only), classes: ${run.classes.join(', ')}.`);
    console.log(`\nFound ${run.detections.length} instances (score ≥ ${SHOW_FROM}):`);
    const rows = run.detections.map((d) => [run.classes[d.label], d.score.toFixed(3), d.bbox.join(','), String(d.area), rgbText(colours.get(d.label)!)]);
    console.log(columns([['CLASS', 'SCORE', 'BOX x,y,w,h', 'AREA', 'OVERLAY COLOUR'], ...rows], 2).join('\n'));
    const inScene = new Set<string>(TARGET_OBJECTS.map((o) => o.class));
    for (const c of run.classes.filter((c) => !run.detections.some((d) => run.classes[d.label] === c))) {
      console.log(inScene.has(c) ? `\n${c}: NOT FOUND, although the scene has it.` : `\n${c}: not found — right, the scene has none.`);
    }
    console.log(`\nOverlay: ${overlay}`);
  } finally {
    await pipeline.close();
  }
}

await main();
