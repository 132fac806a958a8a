// One bank: its classes (add, rename, remove, per-class quality) and references (quality in plain
// words, delete), and the two tabs of work on it: adding references and segmenting images.
import type { BankView, ReferenceView } from '../../../shared/client/index.ts';
import { errorText } from '../api.ts';
import type { Session } from '../api.ts';
import { announce, h } from '../dom.ts';
import { qualityNote, referenceName } from '../quality.ts';
import { renameClass } from '../rename.ts';
import { splitClasses } from './banks.ts';

export interface BankHooks {
  /** Reloads the bank and its references (and the bank list). */
  reload(): Promise<void>;
  imageName(sha256: string | undefined): string | undefined;
}

export function classesView(s: Session, bank: BankView, hooks: BankHooks): HTMLElement {
  const error = h('p', { class: 'error', role: 'alert' });
  const run = async (what: () => Promise<unknown>, done: string) => {
    error.textContent = '';
    try {
      await what();
      announce(done);
      await hooks.reload();
    } catch (err) {
      error.textContent = errorText(err);
    }
  };
  const rows = bank.classes.map((c) => {
    const q = c.quality;
    const agreement = q.meanLeaveOneOutCosine === null ? '—' : `${Math.round(q.meanLeaveOneOutCosine * 100)}%`;
    const warn = [q.outliers.length ? `${q.outliers.length} outlier${q.outliers.length > 1 ? 's' : ''}` : '', q.confusable.length ? `${q.confusable.length} confusable` : '']
      .filter(Boolean)
      .join(', ');
    return h(
      'tr',
      {},
      h('th', { scope: 'row' }, c.name),
      h('td', { class: 'num', 'data-label': 'examples' }, String(c.positives)),
      h('td', { class: 'num', 'data-label': 'negatives' }, String(c.negatives)),
      h('td', { 'data-label': 'agreement' }, agreement, warn ? h('span', { class: 'warn-text' }, ` · ${warn}`) : null),
      h(
        'td',
        { class: 'actions' },
        h('button', {
          type: 'button',
          'aria-label': `Rename class ${c.name}`,
          onclick: () => {
            const to = prompt(`Rename class "${c.name}" to:`, c.name)?.trim();
            if (!to || to === c.name) return;
            const note = bank.referenceCount > 0 ? '\n\nThe bank is rebuilt from its bank file: references keep their vectors and show as "imported" afterwards.' : '';
            if (note && !confirm(`Rename "${c.name}" to "${to}"?${note}`)) return;
            void run(() => renameClass(s.client, bank, c.name, to), `Class renamed to ${to}.`);
          },
        }, 'Rename'),
        h('button', {
          type: 'button',
          class: 'danger',
          'aria-label': `Remove class ${c.name}`,
          onclick: () => {
            if (!confirm(`Remove class "${c.name}" and its ${c.positives + c.negatives} references? Later classes move down one label.`)) return;
            void run(() => s.client.removeClass(bank.id, c.name), `Class ${c.name} removed.`);
          },
        }, 'Remove'),
      ),
    );
  });
  const add = h('input', { type: 'text', autocomplete: 'off', 'aria-label': 'New classes (comma-separated)', placeholder: 'new class' });
  const form = h('form', { class: 'inline' }, add, h('button', { type: 'submit' }, 'Add class'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const names = splitClasses(add.value);
    if (names.length) void run(() => s.client.addClasses(bank.id, names), `Added ${names.join(', ')}.`);
  });
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'classes-title' },
    h('h3', { id: 'classes-title' }, 'Classes'),
    h('div', { class: 'scroll-x' },
      h('table', { class: 'classes' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Class'), h('th', { scope: 'col' }, 'Examples'), h('th', { scope: 'col' }, 'Negatives'), h('th', { scope: 'col' }, 'Agreement'), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
        h('tbody', {}, rows),
      ),
    ),
    form,
    error,
  );
}

export function referencesView(s: Session, bank: BankView, refs: readonly ReferenceView[], hooks: BankHooks): HTMLElement {
  const error = h('p', { class: 'error', role: 'alert' });
  const names = refs.map((r, i) => referenceName(r, i + 1, hooks.imageName(r.source.imageSha256)));
  const items = refs.map((r, i) => {
    const name = names[i];
    const peers = r.negative ? [] : names.filter((_, j) => j !== i && !refs[j].negative && refs[j].className === r.className);
    const note = qualityNote(r, name, peers);
    return h(
      'li',
      { class: `ref tone-${note.tone}`, 'data-ref': r.id },
      h('span', { class: 'badge', 'aria-hidden': 'true' }, note.tone === 'warn' ? '!' : note.tone === 'ok' ? '✓' : 'i'),
      h('div', { class: 'grow' },
        h('div', {}, h('strong', {}, `${i + 1}. ${r.className}`), r.negative ? h('span', { class: 'tag' }, 'negative') : null, ' ', h('span', { class: 'muted' }, name.replace(/^Reference \d+ /, '').replace('(negative, ', '('))),
        h('div', { class: 'note-summary' }, note.tone === 'warn' ? h('span', { class: 'visually-hidden' }, 'Warning: ') : null, note.summary),
        h('details', {}, h('summary', {}, 'Why'), h('p', { class: 'note-detail' }, note.detail)),
      ),
      h('button', {
        type: 'button',
        class: 'icon danger',
        'aria-label': `Delete ${name}`,
        onclick: async () => {
          if (!confirm(`Delete ${name}?`)) return;
          try {
            await s.client.deleteReference(bank.id, r.id);
            announce('Reference deleted.');
            await hooks.reload();
          } catch (err) {
            error.textContent = errorText(err);
          }
        },
      }, '✕'),
    );
  });
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'refs-title' },
    h('h3', { id: 'refs-title' }, `References (${refs.length})`),
    refs.length === 0 ? h('p', { class: 'muted' }, 'No references yet: add an image below and mark the objects on it.') : h('ul', { class: 'list refs' }, items),
    error,
  );
}
