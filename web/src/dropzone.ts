// Where images come in: a drop area (files or whole folders) with buttons that open the file
// picker, the folder picker or the phone's camera. The buttons are labels of hidden inputs, made
// keyboard-operable (Enter, Space) like buttons.
import { h, nextId } from './dom.ts';

export interface DropSource {
  label: string;
  primary?: boolean;
  accept?: string;
  /** `environment`: the phone's back camera. */
  capture?: string;
  folder?: boolean;
}

export function dropZone(text: string, sources: readonly DropSource[], onFiles: (files: File[]) => void): HTMLElement {
  const inputs = sources.map((s) => {
    const input = h('input', { type: 'file', accept: s.accept ?? 'image/*', multiple: !s.capture, capture: s.capture, class: 'visually-hidden', id: nextId('file') });
    if (s.folder) input.setAttribute('webkitdirectory', '');
    input.addEventListener('change', () => {
      onFiles([...(input.files ?? [])]);
      input.value = '';
    });
    return input;
  });
  const buttons = sources.map((s, i) => {
    const label = h('label', { htmlFor: inputs[i].id, class: `button${s.primary ? ' primary' : ''}`, tabIndex: 0 }, s.label);
    label.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') {
        ev.preventDefault();
        inputs[i].click();
      }
    });
    return label;
  });
  const zone = h('div', { class: 'dropzone' }, h('p', {}, text), h('div', { class: 'inline' }, buttons), inputs);
  zone.addEventListener('dragover', (ev) => {
    ev.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (ev) => {
    ev.preventDefault();
    zone.classList.remove('over');
    void filesOf(ev.dataTransfer).then(onFiles);
  });
  return zone;
}

/** Files of a drop, walking dropped folders (webkitGetAsEntry). */
async function filesOf(data: DataTransfer | null): Promise<File[]> {
  if (!data) return [];
  const entries = [...data.items].map((i) => i.webkitGetAsEntry?.()).filter((e): e is FileSystemEntry => !!e);
  if (entries.length === 0) return [...data.files];
  const out: File[] = [];
  const walk = async (entry: FileSystemEntry): Promise<void> => {
    if (entry.isFile) out.push(await new Promise<File>((res, rej) => (entry as FileSystemFileEntry).file(res, rej)));
    else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((res, rej) => reader.readEntries(res, rej));
        if (batch.length === 0) break;
        for (const e of batch) await walk(e);
      }
    }
  };
  for (const e of entries) await walk(e);
  return out;
}
