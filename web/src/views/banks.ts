// The tenant's banks: list (open, export, delete), create with classes, import a bank file.
import type { BankFile, BankSummary } from '../../../shared/client/index.ts';
import { errorText } from '../api.ts';
import type { Session } from '../api.ts';
import { announce, field, h, saveBlob } from '../dom.ts';

export interface BanksHooks {
  open(bankId: string): void;
  changed(): Promise<void>;
}

export const splitClasses = (text: string) =>
  [...new Set(text.split(/[,\n]/).map((c) => c.trim()).filter((c) => c.length > 0))];

export function banksView(s: Session, banks: readonly BankSummary[], current: string | null, hooks: BanksHooks): HTMLElement {
  const error = h('p', { class: 'error', role: 'alert' });
  const fail = (err: unknown) => (error.textContent = errorText(err));

  // Two banks of one name (an import of an export) are told apart by id.
  const names = banks.map((b) => b.name);
  const twin = (name: string) => names.indexOf(name) !== names.lastIndexOf(name);
  const list = h(
    'ul',
    { class: 'list banks', 'aria-label': 'Your banks' },
    banks.length === 0 ? h('li', { class: 'muted' }, 'No banks yet: create one below.') : null,
    banks.map((b) =>
      h(
        'li',
        { class: `row${b.id === current ? ' current' : ''}` },
        h('button', { type: 'button', class: 'link grow', 'aria-current': b.id === current ? 'true' : null, onclick: () => hooks.open(b.id) },
          h('strong', {}, b.name), twin(b.name) ? h('span', { class: 'muted mono' }, ` ${b.id}`) : null, h('span', { class: 'muted' }, ` ${b.classes.length} classes · ${b.referenceCount} references`)),
        h('button', {
          type: 'button',
          class: 'icon',
          'aria-label': `Export bank ${b.name} (${b.id})`,
          title: 'Export bank file',
          onclick: async () => {
            try {
              const file = await s.client.exportBank(b.id);
              saveBlob(new Blob([JSON.stringify(file)], { type: 'application/json' }), `${b.id}.refseg-bank.json`);
              announce(`Bank ${b.name} exported.`);
            } catch (err) {
              fail(err);
            }
          },
        }, '⤓'),
        h('button', {
          type: 'button',
          class: 'icon danger',
          'aria-label': `Delete bank ${b.name} (${b.id})`,
          title: 'Delete bank',
          onclick: async () => {
            if (!confirm(`Delete bank "${b.name}" and all its references? This cannot be undone.`)) return;
            try {
              await s.client.deleteBank(b.id);
              announce(`Bank ${b.name} deleted.`);
              await hooks.changed();
            } catch (err) {
              fail(err);
            }
          },
        }, '✕'),
      ),
    ),
  );

  const name = h('input', { type: 'text', required: true, maxLength: 200, autocomplete: 'off' });
  const classes = h('input', { type: 'text', required: true, autocomplete: 'off', placeholder: 'cup, plate, fork' });
  const create = h(
    'form',
    { class: 'stack', 'aria-label': 'Create a bank' },
    h('h3', {}, 'New bank'),
    field('Name', name),
    field('Classes', classes, 'Comma-separated; their order fixes the labels.'),
    h('button', { type: 'submit', class: 'primary' }, 'Create bank'),
  );
  create.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.textContent = '';
    try {
      const bank = await s.client.createBank({ name: name.value.trim(), classes: splitClasses(classes.value) });
      announce(`Bank ${bank.name} created.`);
      await hooks.changed();
      hooks.open(bank.id);
    } catch (err) {
      fail(err);
    }
  });

  const file = h('input', { type: 'file', accept: '.json,application/json' });
  const importForm = h(
    'form',
    { class: 'stack', 'aria-label': 'Import a bank file' },
    h('h3', {}, 'Import'),
    field('Bank file', file, 'A .refseg-bank.json exported from refseg with the same models.'),
    h('button', { type: 'submit' }, 'Import bank'),
  );
  importForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.textContent = '';
    const f = file.files?.[0];
    if (!f) return fail(new Error('Choose a bank file first.'));
    try {
      const parsed = JSON.parse(await f.text()) as BankFile;
      const bank = await s.client.importBank(parsed);
      announce(`Bank ${bank.name} imported.`);
      await hooks.changed();
      hooks.open(bank.id);
    } catch (err) {
      fail(err instanceof SyntaxError ? new Error(`${f.name} is not JSON.`) : err);
    }
  });

  return h('section', { class: 'card banks-panel', 'aria-labelledby': 'banks-title' }, h('h2', { id: 'banks-title' }, 'Banks'), list, error, h('details', { class: 'more', open: banks.length === 0 }, h('summary', {}, 'New bank or import'), create, importForm));
}
