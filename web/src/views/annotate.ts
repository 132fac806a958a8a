// Adding references: pick, drop or photograph images; on each, mark instances by drawing a box or
// clicking points (SAM2's mask comes back as a preview from POST /v1/masks/preview), correct it
// with the paint and erase brushes, accept it with its class (or as a negative), then store all
// instances of the image as references in one request and show their quality feedback.
import type { AddReferencesResponse, BankView, ReferenceAnnotation } from '../../../shared/client/index.ts';
import { errorText, previewMask } from '../api.ts';
import type { PreviewPrompt, Session } from '../api.ts';
import { css, PALETTE } from '../colors.ts';
import type { Rgb } from '../colors.ts';
import { announce, field, h, nextId } from '../dom.ts';
import { dropZone } from '../dropzone.ts';
import { decode, encode, outline, paint } from '../masks.ts';
import { qualityNote, referenceName } from '../quality.ts';

type Tool = 'box' | 'point+' | 'point-' | 'paint' | 'erase';

interface Instance {
  className: string;
  negative: boolean;
  mask: Uint8Array;
  area: number;
}

interface Pending {
  id: string;
  name: string;
  file: Blob;
  bitmap: ImageBitmap;
  instances: Instance[];
}

export interface AnnotateHooks {
  /** After references were stored: the bank changed. */
  added(response: AddReferencesResponse): Promise<void>;
  rememberImage(sha256: string, name: string): void;
}

export const classColour = (label: number): Rgb => PALETTE[label % PALETTE.length];

async function sha256Hex(blob: Blob): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export function annotateView(s: Session, bank: BankView, hooks: AnnotateHooks): HTMLElement {
  const pending: Pending[] = [];
  let current: Pending | null = null;
  let tool: Tool = 'box';
  let mask: Uint8Array | null = null;
  let prompt: { box?: [number, number, number, number]; points: [number, number, 0 | 1][] } = { points: [] };
  let drag: { x0: number; y0: number; x1: number; y1: number } | null = null;
  let previewAbort: AbortController | null = null;
  let brush = 12;

  const error = h('p', { class: 'error', role: 'alert' });
  const status = h('p', { class: 'status-line', 'aria-live': 'polite' });
  const feedback = h('div', { class: 'feedback', 'aria-live': 'polite' });

  // ---- images in ----
  const drop = dropZone('Drop reference images (or a folder) here, or', [
    { label: 'Choose images', primary: true },
    { label: 'Take a photo', capture: 'environment' },
  ], (files) => void addFiles(files));
  const strip = h('ul', { class: 'strip', 'aria-label': 'Images waiting for annotation' });

  async function addFiles(files: Iterable<File>) {
    error.textContent = '';
    for (const f of files) {
      if (!f.type.startsWith('image/')) continue;
      try {
        const bitmap = await createImageBitmap(f);
        pending.push({ id: nextId('img'), name: f.name || 'photo', file: f, bitmap, instances: [] });
      } catch {
        error.textContent = `${f.name} cannot be read as an image.`;
      }
    }
    if (!current && pending.length) select(pending[0]);
    renderStrip();
  }
  function renderStrip() {
    strip.replaceChildren(
      ...pending.map((p) =>
        h('li', {},
          h('button', { type: 'button', class: `thumb${p === current ? ' current' : ''}`, 'aria-pressed': p === current ? 'true' : 'false', onclick: () => select(p) },
            `${p.name} (${p.instances.length})`),
        ),
      ),
    );
    editor.hidden = current === null;
  }

  // ---- editor ----
  const base = h('canvas', { class: 'layer base' });
  const over = h('canvas', { class: 'layer over', tabIndex: 0, role: 'img', 'aria-label': 'Reference image: draw a box or click points on one object' });
  const stage = h('div', { class: 'stage' }, base, over);

  const tools: [Tool, string, string][] = [
    ['box', 'Box', 'Drag a box around one object'],
    ['point+', 'Point +', 'Click on the object'],
    ['point-', 'Point −', 'Click on what is not the object'],
    ['paint', 'Paint', 'Add to the mask'],
    ['erase', 'Erase', 'Remove from the mask'],
  ];
  const toolName = nextId('tool');
  const toolbar = h(
    'fieldset',
    { class: 'tools' },
    h('legend', {}, 'Tool'),
    tools.map(([t, label, title]) =>
      h('label', { class: 'tool', title },
        h('input', { type: 'radio', name: toolName, value: t, checked: t === tool, onchange: () => (tool = t) }), label),
    ),
  );
  const brushInput = h('input', { type: 'range', min: 2, max: 60, value: brush, oninput: () => (brush = Number(brushInput.value)) });
  const classSelect = h('select', {}, bank.classes.map((c) => h('option', { value: c.name }, c.name)));
  const negative = h('input', { type: 'checkbox' });
  const boxFields = (['x', 'y', 'width', 'height'] as const).map((k) => h('input', { type: 'number', min: 0, step: 1, 'aria-label': `Box ${k} (pixels)`, placeholder: k, class: 'num-input' }));
  const boxForm = h(
    'form',
    { class: 'inline box-form', 'aria-label': 'Box by numbers' },
    h('span', { class: 'muted' }, 'Box (px):'),
    boxFields,
    h('button', { type: 'submit' }, 'Preview box'),
  );
  boxForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const [x, y, w, hh] = boxFields.map((f) => Number(f.value));
    if (!(w > 0 && hh > 0)) return void (error.textContent = 'Give the box a width and a height.');
    prompt = { box: [x, y, w, hh], points: [] };
    void runPreview();
  });
  const acceptBtn = h('button', { type: 'button', class: 'primary', disabled: true, onclick: () => accept() }, 'Accept instance');
  const clearBtn = h('button', { type: 'button', onclick: () => clearCurrent() }, 'Clear');
  const instanceList = h('ul', { class: 'list instances', 'aria-label': 'Accepted instances on this image' });
  const saveBtn = h('button', { type: 'button', class: 'primary', disabled: true, onclick: () => void save() }, 'Add to bank');
  const removeImageBtn = h('button', { type: 'button', onclick: () => current && dropImage(current) }, 'Remove image');

  const editor = h(
    'div',
    { class: 'editor', hidden: true },
    h('div', { class: 'editor-main' }, stage, status),
    h(
      'div',
      { class: 'editor-side' },
      toolbar,
      field('Brush size', brushInput),
      boxForm,
      h('div', { class: 'inline' }, field('Class', classSelect), h('label', { class: 'check' }, negative, ' Negative example')),
      h('div', { class: 'inline' }, acceptBtn, clearBtn),
      h('h4', {}, 'Instances on this image'),
      instanceList,
      h('div', { class: 'inline' }, saveBtn, removeImageBtn),
    ),
  );

  function select(p: Pending) {
    current = p;
    base.width = over.width = p.bitmap.width;
    base.height = over.height = p.bitmap.height;
    base.getContext('2d')!.drawImage(p.bitmap, 0, 0);
    stage.style.setProperty('--ar', String(p.bitmap.width / p.bitmap.height));
    clearCurrent();
    renderStrip();
    renderInstances();
  }

  function dropImage(p: Pending) {
    pending.splice(pending.indexOf(p), 1);
    p.bitmap.close();
    current = null;
    if (pending.length) select(pending[0]);
    renderStrip();
  }

  function clearCurrent() {
    previewAbort?.abort();
    mask = null;
    prompt = { points: [] };
    drag = null;
    for (const f of boxFields) f.value = '';
    acceptBtn.disabled = true;
    status.textContent = current ? 'Draw a box around one object, or click points on it.' : '';
    draw();
  }

  const labelOf = (name: string) => bank.classes.findIndex((c) => c.name === name);

  function draw() {
    if (!current) return;
    const { width: w, height: hh } = current.bitmap;
    const ctx = over.getContext('2d')!;
    const img = ctx.createImageData(w, hh);
    const scale = w / Math.max(1, over.clientWidth || w);
    const line = Math.max(2, Math.round(2 * scale));
    for (const inst of current.instances) {
      const c = inst.negative ? ([90, 90, 90] as Rgb) : classColour(labelOf(inst.className));
      paint(img.data, inst.mask, c, 0.35);
      paint(img.data, outline(inst.mask, w, hh, line), c, 1);
    }
    if (mask) {
      paint(img.data, mask, [255, 255, 255], 0.25);
      paint(img.data, outline(mask, w, hh, line + 1), [0, 0, 0], 1);
      paint(img.data, outline(mask, w, hh, line), [255, 220, 0], 1);
    }
    ctx.putImageData(img, 0, 0);
    ctx.lineWidth = line;
    const box = drag ? [Math.min(drag.x0, drag.x1), Math.min(drag.y0, drag.y1), Math.abs(drag.x1 - drag.x0), Math.abs(drag.y1 - drag.y0)] : prompt.box;
    if (box) {
      ctx.setLineDash([6 * scale, 4 * scale]);
      ctx.strokeStyle = '#ffdc00';
      ctx.strokeRect(box[0], box[1], box[2], box[3]);
      ctx.setLineDash([]);
    }
    for (const [x, y, positive] of prompt.points) {
      ctx.beginPath();
      ctx.arc(x, y, 6 * scale, 0, 2 * Math.PI);
      ctx.fillStyle = positive ? '#18c964' : '#f31260';
      ctx.fill();
      ctx.strokeStyle = '#fff';
      ctx.stroke();
    }
  }

  function renderInstances() {
    if (!current) return;
    const cur = current;
    instanceList.replaceChildren(
      ...(cur.instances.length === 0 ? [h('li', { class: 'muted' }, 'None yet.')] : []),
      ...cur.instances.map((inst, i) =>
        h('li', { class: 'row' },
          h('span', { class: 'swatch', 'aria-hidden': 'true', 'data-label': String(labelOf(inst.className)) }),
          h('span', { class: 'grow' }, `${inst.className}${inst.negative ? ' (negative)' : ''} · ${inst.area} px`),
          h('button', { type: 'button', class: 'icon danger', 'aria-label': `Remove instance ${i + 1} (${inst.className})`, onclick: () => { cur.instances.splice(i, 1); renderInstances(); renderStrip(); draw(); } }, '✕'),
        ),
      ),
    );
    for (const sw of instanceList.querySelectorAll<HTMLElement>('.swatch')) sw.style.background = css(classColour(Number(sw.dataset.label)));
    saveBtn.disabled = cur.instances.length === 0;
    saveBtn.textContent = cur.instances.length > 1 ? `Add ${cur.instances.length} references to bank` : 'Add reference to bank';
  }

  async function runPreview() {
    if (!current) return;
    const ask: PreviewPrompt | null = prompt.box ? { box: prompt.box } : prompt.points.length ? { points: prompt.points } : null;
    if (!ask) return;
    previewAbort?.abort();
    const abort = (previewAbort = new AbortController());
    status.textContent = 'Asking SAM2 for the mask…';
    error.textContent = '';
    draw();
    try {
      const r = await previewMask(s, current.file, ask, abort.signal);
      if (abort.signal.aborted) return;
      mask = decode(r.mask);
      acceptBtn.disabled = false;
      status.textContent = `Mask preview: predicted IoU ${r.score.toFixed(3)}, ${mask.reduce((a, v) => a + v, 0)} px. Accept it, refine it with points or the brush, or clear.`;
      announce('Mask preview ready.');
      draw();
    } catch (err) {
      if (abort.signal.aborted) return;
      status.textContent = '';
      error.textContent = `Preview failed: ${errorText(err)}`;
    }
  }

  function accept() {
    if (!current || !mask) return;
    const area = mask.reduce((a, v) => a + v, 0);
    if (area === 0) return void (error.textContent = 'The mask is empty.');
    current.instances.push({ className: classSelect.value, negative: negative.checked, mask, area });
    announce(`Instance of ${classSelect.value} accepted.`);
    clearCurrent();
    renderInstances();
    renderStrip();
  }

  async function save() {
    if (!current || current.instances.length === 0) return;
    const p = current;
    const { width: w, height: hh } = p.bitmap;
    const annotations: ReferenceAnnotation[] = p.instances.map((inst) => ({ className: inst.className, mask: encode(inst.mask, hh, w), ...(inst.negative ? { negative: true } : {}) }));
    saveBtn.disabled = true;
    error.textContent = '';
    status.textContent = `Storing ${annotations.length} reference${annotations.length > 1 ? 's' : ''}…`;
    try {
      const response = await s.client.addReferences(bank.id, p.file, annotations);
      hooks.rememberImage(await sha256Hex(p.file), p.name);
      feedback.replaceChildren(
        h('h4', {}, `Added from ${p.name}`),
        h('ul', { class: 'list' },
          response.references.map((r, i) => {
            const note = qualityNote(r, referenceName(r, response.bank.referenceCount - response.references.length + i + 1, p.name));
            return h('li', { class: `tone-${note.tone}` }, h('strong', {}, `${r.className}: `), note.summary, ' ', h('span', { class: 'muted' }, note.detail));
          }),
        ),
      );
      dropImage(p);
      status.textContent = '';
      announce(`${annotations.length} reference${annotations.length > 1 ? 's' : ''} added.`);
      await hooks.added(response);
    } catch (err) {
      status.textContent = '';
      error.textContent = `Not stored: ${errorText(err)}`;
      saveBtn.disabled = false;
    }
  }

  // ---- pointer ----
  const toImage = (ev: PointerEvent): [number, number] => {
    const r = over.getBoundingClientRect();
    const w = current!.bitmap.width;
    const hh = current!.bitmap.height;
    return [Math.max(0, Math.min(w - 1, Math.round(((ev.clientX - r.left) / r.width) * w))), Math.max(0, Math.min(hh - 1, Math.round(((ev.clientY - r.top) / r.height) * hh)))];
  };
  let last: [number, number] | null = null;
  function stroke(from: [number, number], to: [number, number], value: 0 | 1) {
    if (!current) return;
    const { width: w, height: hh } = current.bitmap;
    mask ??= new Uint8Array(w * hh);
    const r = (brush / 2) * (w / Math.max(1, over.clientWidth));
    const steps = Math.max(1, Math.ceil(Math.hypot(to[0] - from[0], to[1] - from[1]) / Math.max(1, r / 2)));
    for (let s2 = 0; s2 <= steps; s2++) {
      const cx = from[0] + ((to[0] - from[0]) * s2) / steps;
      const cy = from[1] + ((to[1] - from[1]) * s2) / steps;
      for (let y = Math.max(0, Math.floor(cy - r)); y <= Math.min(hh - 1, Math.ceil(cy + r)); y++) {
        for (let x = Math.max(0, Math.floor(cx - r)); x <= Math.min(w - 1, Math.ceil(cx + r)); x++) {
          if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) mask[y * w + x] = value;
        }
      }
    }
    acceptBtn.disabled = false;
  }
  over.addEventListener('pointerdown', (ev) => {
    if (!current) return;
    ev.preventDefault();
    over.setPointerCapture(ev.pointerId);
    const p = toImage(ev);
    if (tool === 'box') drag = { x0: p[0], y0: p[1], x1: p[0], y1: p[1] };
    else if (tool === 'paint' || tool === 'erase') {
      last = p;
      stroke(p, p, tool === 'paint' ? 1 : 0);
      draw();
    }
  });
  over.addEventListener('pointermove', (ev) => {
    if (!current) return;
    const p = toImage(ev);
    if (drag) {
      drag.x1 = p[0];
      drag.y1 = p[1];
      draw();
    } else if (last && (tool === 'paint' || tool === 'erase')) {
      stroke(last, p, tool === 'paint' ? 1 : 0);
      last = p;
      draw();
    }
  });
  over.addEventListener('pointerup', (ev) => {
    if (!current) return;
    const p = toImage(ev);
    if (drag) {
      const box: [number, number, number, number] = [Math.min(drag.x0, p[0]), Math.min(drag.y0, p[1]), Math.abs(p[0] - drag.x0), Math.abs(p[1] - drag.y0)];
      drag = null;
      if (box[2] < 2 || box[3] < 2) return draw();
      prompt = { box, points: [] };
      boxFields.forEach((f, i) => (f.value = String(box[i])));
      void runPreview();
    } else if (tool === 'point+' || tool === 'point-') {
      prompt = { points: [...(prompt.box ? [] : prompt.points), [p[0], p[1], tool === 'point+' ? 1 : 0]] };
      void runPreview();
    } else if (last) {
      last = null;
      status.textContent = 'Mask edited by hand. Accept it when it covers the object.';
    }
  });

  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'add-title' },
    h('h3', { id: 'add-title' }, 'Add references'),
    drop,
    strip,
    editor,
    error,
    feedback,
  );
}
