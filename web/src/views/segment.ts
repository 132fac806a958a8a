// Segmenting: drop one image or a folder; each goes through the page's queue (position, state,
// retry on a busy GPU, cancel). A finished image shows its overlay beside its detection list;
// the score slider and per-class thresholds re-filter in the page (no request); the semantic map
// view merges each class; downloads: COCO JSON, PNG masks, the overlay PNG. Images go to the
// server, or through the on-device engine when this bank is switched to "on this device".
import type { BankView } from '../../../shared/client/index.ts';
import { API_BASE, errorText } from '../api.ts';
import type { Session } from '../api.ts';
import { cocoResults } from '../coco-export.ts';
import type { Rgb } from '../colors.ts';
import { css } from '../colors.ts';
import { announce, field, fmtScore, h, nextId, saveBlob } from '../dom.ts';
import { visibleDetections } from '../filter.ts';
import type { Thresholds } from '../filter.ts';
import { DeviceController } from '../device/controller.ts';
import { loadDeviceSettings, PAPER_GRID, saveDeviceSettings } from '../device/settings.ts';
import type { DeviceSettings, OnDeviceRun, PageResult } from '../device/settings.ts';
import { dropZone } from '../dropzone.ts';
import { cropOf, decode } from '../masks.ts';
import type { Crop } from '../masks.ts';
import { coloursFor, drawHighlight, drawResult, valuePng } from '../overlay.ts';
import type { ViewMode, Visible } from '../overlay.ts';
import { SegmentQueue } from '../queue.ts';
import type { Job } from '../queue.ts';
import { devicePanel } from './device.ts';

/** What the page asks for: everything down to score 0, so the slider can show any cut. */
export const SEGMENT_OPTIONS = { scoreThreshold: 0, maxDetections: 100 } as const;

/** One engine for the page, whichever bank uses it. */
const device = new DeviceController(API_BASE);

interface Shown {
  job: Job<PageResult>;
  result: PageResult;
  bitmap: ImageBitmap;
  pixels: Uint8ClampedArray;
  /** Detection masks cut to their boxes, decoded on first use. */
  crops: Map<number, Crop>;
  colours: Map<number, Rgb>;
  visible: Visible[];
  hits: Int32Array;
}

export function segmentView(s: Session, bank: BankView): HTMLElement {
  const classes = bank.classes.map((c) => c.name);
  const thresholds: { score: number; perClass: Map<string, number> } = { score: 0.5, perClass: new Map() };
  let mode: ViewMode = 'instances';
  let shown: Shown | null = null;
  let hovered: number | null = null;

  const settings = loadDeviceSettings(bank.id);
  /** Where each image is (was) processed: the choice when it started. */
  const ranWith = new WeakMap<Blob, DeviceSettings>();
  const queue = new SegmentQueue<PageResult>({
    run: (file, signal) => {
      const now = { ...settings };
      ranWith.set(file, now);
      return now.where === 'device' ? device.segment(s.client, bank.id, file, now, SEGMENT_OPTIONS, signal) : s.client.segment(bank.id, file, SEGMENT_OPTIONS, { signal });
    },
    onChange: () => renderQueue(),
    describeError: errorText,
  });

  // ---- input ----
  const enqueue = (files: Iterable<File>) => {
    const images = [...files].filter((f) => /^image\/(jpeg|png|webp)$/.test(f.type)).map((f) => ({ name: f.webkitRelativePath || f.name, file: f }));
    if (images.length === 0) return announce('No JPEG, PNG or WebP images there.');
    queue.add(images);
    announce(`${images.length} image${images.length > 1 ? 's' : ''} queued.`);
  };
  const drop = dropZone('Drop images (or a folder) here, or', [
    { label: 'Choose images', primary: true, accept: 'image/jpeg,image/png,image/webp' },
    { label: 'Choose a folder', folder: true },
  ], enqueue);

  // ---- queue ----
  const queueList = h('ol', { class: 'list queue', 'aria-label': 'Images to segment' });
  const cancelAll = h('button', { type: 'button', class: 'danger', hidden: true, onclick: () => queue.cancelAll() }, 'Cancel all');
  let ticker: ReturnType<typeof setInterval> | null = null;

  function stateText(job: Job<PageResult>): string {
    switch (job.state) {
      case 'queued':
        return `Queued, position ${queue.position(job)}`;
      case 'running': {
        const onDevice = ranWith.get(job.file)?.where === 'device';
        const what = onDevice ? 'Segmenting on this device' : 'Segmenting';
        return job.attempts > 1 ? `${what} (attempt ${job.attempts})…` : `${what}…`;
      }
      case 'waiting':
        return `GPU busy: trying again in ${Math.max(0, Math.ceil(((job.retryAt ?? 0) - Date.now()) / 1000))} s`;
      case 'done':
        return `Done: ${job.result!.detections.length} detections${whereText(job.result!)}`;
      case 'failed':
        return `Failed: ${job.error}`;
      case 'cancelled':
        return 'Cancelled';
    }
  }

  function renderQueue() {
    queueList.replaceChildren(
      ...queue.jobs.map((job) => {
        const progress = h('progress', { max: 1, 'aria-label': `Progress of ${job.name}` });
        if (job.state === 'done' || job.state === 'failed' || job.state === 'cancelled') progress.value = 1;
        else if (job.state === 'queued') progress.value = 0;
        const active = job.state === 'queued' || job.state === 'running' || job.state === 'waiting';
        return h(
          'li',
          { class: `row job state-${job.state}${shown?.job === job ? ' current' : ''}`, 'data-job': String(job.id) },
          h('div', { class: 'grow' }, h('div', { class: 'job-name' }, job.name), h('div', { class: 'job-state' }, stateText(job)), progress),
          job.state === 'done' ? h('button', { type: 'button', 'aria-label': `Show ${job.name}`, 'aria-pressed': shown?.job === job ? 'true' : 'false', onclick: () => void show(job) }, 'Show') : null,
          active ? h('button', { type: 'button', class: 'danger', 'aria-label': `Cancel ${job.name}`, onclick: () => queue.cancel(job) }, 'Cancel') : null,
        );
      }),
    );
    cancelAll.hidden = !queue.active;
    downloadAll.hidden = !queue.jobs.some((j) => j.state === 'done');
    const waiting = queue.jobs.some((j) => j.state === 'waiting');
    if (waiting && !ticker) ticker = setInterval(renderQueue, 1000);
    if (!waiting && ticker) {
      clearInterval(ticker);
      ticker = null;
    }
    // The first finished image is shown by itself; later ones wait for "Show".
    if (!shown) {
      const first = queue.jobs.find((j) => j.state === 'done');
      if (first) void show(first);
    }
  }

  // ---- viewer ----
  const base = h('canvas', { class: 'layer base' });
  const over = h('canvas', { class: 'layer over', role: 'img', 'aria-label': 'Detections' });
  const hi = h('canvas', { class: 'layer hi', 'aria-hidden': 'true' });
  const stage = h('div', { class: 'stage' }, base, over, hi);
  const caption = h('p', { class: 'muted caption', 'aria-live': 'polite' });
  const stagesLine = h('p', { class: 'hint stages', hidden: true });
  const slider = h('input', { type: 'range', min: 0, max: 1, step: 0.01, value: thresholds.score, id: nextId('score') });
  const sliderOut = h('output', { class: 'mono' }, thresholds.score.toFixed(2));
  slider.addEventListener('input', () => {
    thresholds.score = Number(slider.value);
    sliderOut.textContent = thresholds.score.toFixed(2);
    refilter();
  });
  const perClass = h(
    'details',
    { class: 'per-class' },
    h('summary', {}, 'Per-class thresholds'),
    classes.map((name) => {
      const input = h('input', { type: 'number', min: 0, max: 1, step: 0.01, placeholder: 'global', class: 'num-input', 'data-class': name });
      input.addEventListener('input', () => {
        const v = input.value === '' ? NaN : Number(input.value);
        if (Number.isFinite(v)) thresholds.perClass.set(name, v);
        else thresholds.perClass.delete(name);
        refilter();
      });
      return field(name, input);
    }),
  );
  const modeName = nextId('mode');
  const modes = h(
    'fieldset',
    { class: 'tools' },
    h('legend', {}, 'View'),
    (
      [
        ['instances', 'Instances'],
        ['semantic', 'Semantic map'],
      ] as const
    ).map(([m, label]) =>
      h('label', { class: 'tool' }, h('input', { type: 'radio', name: modeName, value: m, checked: m === mode, onchange: () => ((mode = m), redraw()) }), label),
    ),
  );
  const legend = h('ul', { class: 'legend', 'aria-label': 'Class colours' });
  const detList = h('ul', { class: 'list detections', 'aria-label': 'Detections' });
  const dl = (label: string, what: () => Promise<void>) => h('button', { type: 'button', onclick: () => void what().catch((e: unknown) => announce(errorText(e))) }, label);
  const downloads = h(
    'div',
    { class: 'downloads' },
    h('h4', {}, 'Download'),
    h('div', { class: 'inline wrap' },
      dl('COCO JSON', async () => downloadCoco([shownJob()])),
      dl('Instance masks PNG', async () => downloadInstancePng()),
      dl('Class map PNG', async () => downloadClassPng()),
      dl('Overlay PNG', async () => downloadOverlay()),
    ),
  );
  const downloadAll = h('button', { type: 'button', hidden: true, onclick: () => downloadCoco(queue.jobs.filter((j) => j.state === 'done')) }, 'COCO JSON of all images');
  const viewer = h(
    'div',
    { class: 'viewer', hidden: true },
    h('div', { class: 'viewer-main' }, stage, caption, stagesLine),
    h('div', { class: 'viewer-side' }, h('div', { class: 'field' }, h('label', { htmlFor: slider.id }, 'Minimum score'), h('div', { class: 'inline' }, slider, sliderOut)), perClass, modes, legend, detList, downloads),
  );

  const shownJob = () => shown!.job;

  async function show(job: Job<PageResult>) {
    const result = job.result!;
    const bitmap = await createImageBitmap(job.file);
    const scratch = new OffscreenCanvas(bitmap.width, bitmap.height).getContext('2d')!;
    scratch.drawImage(bitmap, 0, 0);
    const pixels = scratch.getImageData(0, 0, bitmap.width, bitmap.height).data;
    shown?.bitmap.close();
    const crops = new Map<number, Crop>();
    shown = { job, result, bitmap, pixels, crops, colours: new Map(), visible: [], hits: new Int32Array(0) };
    shown.colours = coloursFor(pixels, bitmap.width, result.detections, cropAt, classes.length);
    base.width = bitmap.width;
    base.height = bitmap.height;
    base.getContext('2d')!.drawImage(bitmap, 0, 0);
    stage.style.setProperty('--ar', String(bitmap.width / bitmap.height));
    viewer.hidden = false;
    renderQueue();
    refilter();
  }

  function cropAt(index: number): Crop {
    const s2 = shown!;
    let k = s2.crops.get(index);
    if (!k) {
      const d = s2.result.detections[index];
      k = cropOf(decode(d.mask), s2.bitmap.width, s2.bitmap.height, d.bbox);
      s2.crops.set(index, k);
    }
    return k;
  }

  const scaleOf = () => (shown ? shown.bitmap.width / Math.max(1, stage.clientWidth || shown.bitmap.width) : 1);

  // A slider sends many input events per frame; one redraw per frame is enough.
  let pending = 0;
  function refilter() {
    if (!shown || pending) return;
    pending = requestAnimationFrame(() => {
      pending = 0;
      if (!shown) return;
      shown.visible = visibleDetections(shown.result.detections, shown.result.classes, thresholds as Thresholds);
      redraw();
    });
  }

  function redraw() {
    if (!shown) return;
    const { result, visible } = shown;
    const drawn = drawResult(over.getContext('2d')!, { image: shown.bitmap, crop: cropAt, pixels: shown.pixels, detections: result.detections, visible, mode, scale: scaleOf() }, shown.colours);
    shown.hits = drawn.hits;
    // A redraw (filter, resize) keeps the highlight on a detection that is still shown.
    const keep = hovered !== null && mode === 'instances' && visible.some((v) => v.index === hovered) ? hovered : null;
    hovered = -1;
    const total = result.detections.length;
    caption.textContent = `${shown.job.name}: showing ${visible.length} of ${total} detections (${result.width}×${result.height}${result.onDevice ? '' : `, ${result.cache === 'hit' ? 'cached candidates' : 'new candidates'}`}${whereText(result)}).`;
    stagesLine.textContent = result.onDevice ? stagesText(result.onDevice) : '';
    stagesLine.hidden = !result.onDevice;
    over.setAttribute('aria-label', `${shown.job.name} with ${visible.length} detections: ${visible.map((v) => `${v.detection.class} ${fmtScore(v.detection.score)}`).join(', ') || 'none'}`);
    const labels = [...new Set(result.detections.map((d) => d.label))].sort((a, b) => a - b);
    legend.replaceChildren(...labels.map((l) => h('li', {}, swatch(shown!.colours.get(l)!), ` ${result.classes[l]} (${visible.filter((v) => v.detection.label === l).length})`)));
    detList.replaceChildren(
      ...(visible.length === 0 ? [h('li', { class: 'muted' }, total === 0 ? 'Nothing found.' : 'No detection above the thresholds.')] : []),
      ...visible.map((v, rank) =>
        h(
          'li',
          { class: 'det', 'data-index': String(v.index), tabIndex: 0, 'aria-label': `${rank + 1}. ${v.detection.class}, score ${fmtScore(v.detection.score)}, ${v.detection.area} pixels` },
          swatch(shown!.colours.get(v.detection.label)!),
          h('span', { class: 'det-class' }, v.detection.class),
          h('span', { class: 'det-score mono' }, fmtScore(v.detection.score)),
          h('span', { class: 'det-area muted' }, `${v.detection.area} px`),
        ),
      ),
    );
    highlight(keep);
  }

  function swatch(c: Rgb): HTMLElement {
    const el = h('span', { class: 'swatch', 'aria-hidden': 'true' });
    el.style.background = css(c);
    return el;
  }

  function highlight(index: number | null) {
    if (!shown || index === hovered) return;
    hovered = index;
    const d = index === null ? null : shown.result.detections[index];
    drawHighlight(hi.getContext('2d')!, shown.bitmap, index === null ? null : cropAt(index), d ? shown.colours.get(d.label) : undefined, scaleOf());
    for (const li of detList.querySelectorAll<HTMLElement>('li.det')) li.classList.toggle('hover', li.dataset.index === String(index));
  }

  detList.addEventListener('pointerover', (ev) => {
    const li = (ev.target as HTMLElement).closest<HTMLElement>('li.det');
    if (li) highlight(Number(li.dataset.index));
  });
  detList.addEventListener('pointerleave', () => highlight(null));
  detList.addEventListener('focusin', (ev) => {
    const li = (ev.target as HTMLElement).closest<HTMLElement>('li.det');
    if (li) highlight(Number(li.dataset.index));
  });
  detList.addEventListener('focusout', () => highlight(null));
  over.addEventListener('pointermove', (ev) => {
    if (!shown || mode !== 'instances') return;
    const r = over.getBoundingClientRect();
    const x = Math.floor(((ev.clientX - r.left) / r.width) * shown.bitmap.width);
    const y = Math.floor(((ev.clientY - r.top) / r.height) * shown.bitmap.height);
    const hit = x >= 0 && y >= 0 && x < shown.bitmap.width && y < shown.bitmap.height ? shown.hits[y * shown.bitmap.width + x] : 0;
    highlight(hit ? hit - 1 : null);
  });
  over.addEventListener('pointerleave', () => highlight(null));

  // ---- downloads ----
  const stem = (name: string) => name.replace(/^.*\//, '').replace(/\.[^.]+$/, '');

  async function downloadCoco(jobs: Job<PageResult>[]) {
    const images = jobs.map((j) => ({
      fileName: j.name,
      width: j.result!.width,
      height: j.result!.height,
      detections: visibleDetections(j.result!.detections, classes, thresholds as Thresholds).map((v) => v.detection),
    }));
    const name = jobs.length === 1 ? `${stem(jobs[0].name)}.coco.json` : `${bank.id}-results.coco.json`;
    saveBlob(new Blob([JSON.stringify(cocoResults(classes, images))], { type: 'application/json' }), name);
    announce(`Saved ${name}.`);
  }

  async function downloadInstancePng() {
    if (!shown) return;
    const { width: w, height: hh } = shown.bitmap;
    const ids = new Uint8Array(w * hh);
    // Instance n (1-based, best first) is pixel value n; the best detection wins where they overlap.
    shown.visible.slice(0, 255).forEach((v, n) => {
      const m = decode(v.detection.mask);
      for (let i = 0; i < m.length; i++) if (m[i] && ids[i] === 0) ids[i] = n + 1;
    });
    saveBlob(await valuePng(w, hh, (i) => ids[i]), `${stem(shown.job.name)}.instances.png`);
  }

  async function downloadClassPng() {
    if (!shown) return;
    const { width: w, height: hh } = shown.bitmap;
    const labels = new Uint8Array(w * hh);
    for (const v of shown.visible) {
      const m = decode(v.detection.mask);
      for (let i = 0; i < m.length; i++) if (m[i] && labels[i] === 0) labels[i] = Math.min(255, v.detection.label + 1);
    }
    saveBlob(await valuePng(w, hh, (i) => labels[i]), `${stem(shown.job.name)}.classes.png`);
  }

  async function downloadOverlay() {
    if (!shown) return;
    const canvas = new OffscreenCanvas(shown.bitmap.width, shown.bitmap.height);
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(base, 0, 0);
    ctx.drawImage(over, 0, 0);
    saveBlob(await canvas.convertToBlob({ type: 'image/png' }), `${stem(shown.job.name)}.overlay.png`);
  }

  window.addEventListener('resize', () => redraw());

  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'seg-title' },
    h('h3', { id: 'seg-title' }, 'Segment images'),
    devicePanel(device, settings, () => saveDeviceSettings(bank.id, settings)),
    drop,
    h('div', { class: 'inline' }, cancelAll, downloadAll),
    queueList,
    viewer,
  );
}

/** Where a result was made, for the queue and the caption. */
function whereText(r: PageResult): string {
  const d = r.onDevice;
  if (!d) return r.cache === 'hit' ? ' (cached)' : '';
  const grid = d.grid === PAPER_GRID ? '' : `, ${d.grid}×${d.grid} grid`;
  const sent = d.send === 'nothing' ? 'image never left' : `candidate set sent${r.cache === 'hit' ? ', cached' : ''}`;
  return `, on this device in ${(d.deviceMs / 1000).toFixed(1)} s${grid}, ${sent}`;
}

/** The device's time per stage, slowest first: where a phone spends its seconds. */
function stagesText(d: OnDeviceRun): string {
  const stages = Object.entries(d.stages).filter(([, ms]) => Number.isFinite(ms)).sort((x, y) => y[1] - x[1]);
  const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);
  return `${d.candidates} candidates${stages.length > 0 ? `; stages: ${stages.map(([name, ms]) => `${name} ${fmt(ms)}`).join(', ')}` : ''}.`;
}
