// The "where images are processed" switch of the segment tab: on the server, or on this device
// (image never leaves, or only the candidate set is sent), with the prompt grid, the size warning
// before the first download, its progress and cancel, and what the engine runs on once ready.
import type { DeviceController, DevicePhase } from '../device/controller.ts';
import type { DeviceProgress } from '../device/run.ts';
import { PAPER_GRID } from '../device/settings.ts';
import type { DeviceSettings } from '../device/settings.ts';
import { announce, field, h, nextId } from '../dom.ts';

const MB = 1e6;
const mb = (bytes: number) => (bytes < MB ? `${Math.max(1, Math.round(bytes / 1e3))} kB` : `${(bytes / MB).toFixed(bytes < 10 * MB ? 1 : 0)} MB`);

function radios<T extends string>(legend: string, current: T, choices: readonly (readonly [T, string, string?])[], pick: (v: T) => void): HTMLElement {
  const name = nextId('radio');
  return h(
    'fieldset',
    { class: 'choices' },
    h('legend', {}, legend),
    choices.map(([value, label, hint]) =>
      h('label', { class: 'choice' },
        h('input', { type: 'radio', name, value, checked: value === current, onchange: () => pick(value) }),
        h('span', {}, h('span', { class: 'choice-label' }, label), hint ? h('span', { class: 'hint' }, hint) : null),
      ),
    ),
  );
}

function statusOf(device: DeviceController, phase: DevicePhase, leave: () => void): HTMLElement {
  switch (phase.kind) {
    case 'idle':
      // Another bank's panel stopped the download or declined it: this one can start again.
      return h('div', {}, h('p', { class: 'muted' }, 'The on-device models are not loaded.'), h('button', { type: 'button', onclick: () => void device.prepare() }, 'Set up on-device mode'));
    case 'checking':
      return h('p', { class: 'muted' }, 'Checking what the models need…');
    case 'unavailable':
      return h('p', { class: 'error', role: 'alert' }, phase.reason);
    case 'confirm': {
      const { estimate } = phase;
      const list = h('ul', { class: 'sizes' }, estimate.files.map((f) => h('li', {}, h('span', { class: 'mono' }, f.name), ` ${f.bytes === null ? 'size unknown' : mb(f.bytes)}`)));
      return h(
        'div',
        { class: 'device-warning', role: 'group', 'aria-label': 'Download before first use' },
        h('p', {}, h('strong', {}, `First use downloads ${mb(estimate.knownBytes)}`), estimate.unknown > 0 ? ` and ${estimate.unknown} file${estimate.unknown > 1 ? 's' : ''} of unknown size` : '',
          ': the models and onnxruntime-web. Your browser keeps them, so later visits start without downloading. On mobile data, this counts against your plan.'),
        list,
        h('div', { class: 'inline wrap' },
          h('button', { type: 'button', class: 'primary', onclick: () => void device.start() }, `Download ${mb(estimate.knownBytes)} and start`),
          h('button', { type: 'button', onclick: () => (device.decline(), leave()) }, 'Stay on the server'),
        ),
      );
    }
    case 'downloading': {
      const bar = h('progress', { class: 'device-progress', 'aria-label': 'Model download' });
      const text = h('p', { class: 'device-progress-text' });
      const el = h('div', { class: 'stack-tight' }, bar, text, h('button', { type: 'button', class: 'danger', onclick: () => (device.cancel(), leave()) }, 'Cancel download'));
      showProgress(bar, text, phase.progress);
      return el;
    }
    case 'ready': {
      const i = phase.info;
      return h('div', {},
        h('p', { class: 'ok' }, `Ready: ${i.modelId} on ${i.provider === 'webgpu' ? 'WebGPU' : 'WASM'}, ${i.threads} thread${i.threads > 1 ? 's' : ''}, opened in ${(i.openMs / 1000).toFixed(1)} s.`),
        i.fallbackReason ? h('p', { class: 'warn-text' }, `WebGPU is not available here (${i.fallbackReason}); running on WASM.`) : null,
        i.threads === 1 && !crossOriginIsolated ? h('p', { class: 'hint' }, 'One thread: this page is not cross-origin isolated, so WASM cannot use more.') : null,
      );
    }
    case 'failed':
      return h('div', {}, h('p', { class: 'error', role: 'alert' }, phase.error), h('button', { type: 'button', onclick: () => void device.prepare() }, 'Try again'));
  }
}

/** Updates the bar and its words in place: a progress event must not rebuild the panel (focus on Cancel stays). */
function showProgress(bar: HTMLProgressElement, text: HTMLElement, p: DeviceProgress | null): void {
  const total = p?.overall.total ?? null;
  if (p && total) {
    bar.max = total;
    bar.value = Math.min(p.overall.loaded, total);
  }
  text.textContent = !p
    ? 'Starting…'
    : `${p.cached ? 'Reading from this browser' : 'Downloading'} ${p.file}: ${mb(p.overall.loaded)}${total ? ` of ${mb(total)} (${Math.floor((100 * p.overall.loaded) / total)}%)` : ''}`;
}

/** The panel; `changed` stores the settings (per bank) after every choice. */
export function devicePanel(device: DeviceController, settings: DeviceSettings, changed: () => void): HTMLElement {
  const body = h('div', { class: 'device-body' });
  const panel = h('section', { class: 'device-panel', 'aria-label': 'Where images are processed' }, body);
  let lastPhase = device.phase.kind;

  const leave = () => {
    settings.where = 'server';
    changed();
    render();
  };

  function gridSelect(): HTMLElement {
    const select = h('select', {
      onchange: () => {
        settings.grid = Number(select.value);
        changed();
        render();
      },
    });
    const grids = device.grids.length > 0 ? device.grids : [{ pointsPerSide: settings.grid, label: `${settings.grid}×${settings.grid}`, paper: settings.grid === PAPER_GRID }];
    for (const g of grids) select.append(h('option', { value: String(g.pointsPerSide), selected: g.pointsPerSide === settings.grid }, g.label));
    const departs = settings.grid !== PAPER_GRID;
    return field('Prompt grid', select,
      departs
        ? `${settings.grid}×${settings.grid} = ${settings.grid ** 2} prompts instead of the paper's 32×32 = 1024: much faster on a phone, but small objects can be missed and results differ from the paper's method.`
        : "The paper's grid: 1024 prompts per image. On a phone this takes minutes per image.");
  }

  function render() {
    const where = radios('Where images are processed', settings.where, [
      ['server', 'On the server', 'The image is sent to this refseg.'],
      ['device', 'On this device', 'The models run in this browser.'],
    ] as const, (v) => {
      settings.where = v;
      changed();
      if (v === 'device') void device.prepare();
      render();
    });
    if (settings.where === 'server') {
      body.replaceChildren(where);
      return;
    }
    const send = radios('What leaves this device', settings.send, [
      ['nothing', 'Nothing: the image never leaves', "Matched here against the bank's prototypes."],
      ['candidates', 'Only the candidate set', 'Masks and features go to the server to match (it can cache them); the image stays here. The server takes the grids its gpu-nodes run.'],
    ] as const, (v) => {
      settings.send = v;
      changed();
      render();
    });
    body.replaceChildren(where, h('div', { class: 'device-options' }, send, gridSelect(), h('div', { class: 'device-status' }, statusOf(device, device.phase, leave))));
  }

  device.subscribe(() => {
    if (!panel.isConnected && settings.where === 'server') return;
    const phase = device.phase;
    const kind = phase.kind;
    const bar = body.querySelector<HTMLProgressElement>('progress.device-progress');
    const text = body.querySelector<HTMLElement>('.device-progress-text');
    if (kind === 'downloading' && lastPhase === 'downloading' && bar && text) return showProgress(bar, text, phase.progress);
    if (kind !== lastPhase && kind === 'ready') announce('On-device models ready.');
    lastPhase = kind;
    render();
  });
  render();
  // A bank remembered "on this device": load the chunk now (it asks before downloading).
  if (settings.where === 'device') void device.prepare();
  return panel;
}
