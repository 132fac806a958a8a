// The refseg web app: sign in, then banks, references and segmentation on one page. State lives
// here; each view is rebuilt from it (the segment view is kept per bank, so its queue and results
// survive tab switches and reloads of the bank).
import type { BankSummary, BankView, ReferenceView } from '../../shared/client/index.ts';
import { errorText, serviceInfo, signIn, signOut, storedKey } from './api.ts';
import type { Session } from './api.ts';
import { announce, byId, h } from './dom.ts';
import { adminView } from './views/admin.ts';
import { annotateView } from './views/annotate.ts';
import { classesView, referencesView } from './views/bank.ts';
import { banksView } from './views/banks.ts';
import { segmentView } from './views/segment.ts';
import { signInView } from './views/signin.ts';

const NAMES_KEY = 'refseg.imageNames';

type Tab = 'references' | 'segment';

const state: {
  session: Session | null;
  banks: BankSummary[];
  bank: BankView | null;
  references: ReferenceView[];
  tab: Tab;
  segment: Kept | null;
  annotate: Kept | null;
  error: string;
} = { session: null, banks: [], bank: null, references: [], tab: 'references', segment: null, annotate: null, error: '' };

/** A view with work in it (a queue, unsaved annotations), kept while its bank and classes stay. */
interface Kept {
  key: string;
  el: HTMLElement;
}
const keptKey = (bank: BankView) => JSON.stringify([bank.id, bank.classes.map((c) => c.name)]);
function kept(slot: 'segment' | 'annotate', bank: BankView, make: () => HTMLElement): HTMLElement {
  const key = keptKey(bank);
  if (state[slot]?.key !== key) state[slot] = { key, el: make() };
  return state[slot]!.el;
}

const imageNames = new Map<string, string>(Object.entries(JSON.parse(sessionStorage.getItem(NAMES_KEY) ?? '{}') as Record<string, string>));
function rememberImage(sha: string, name: string) {
  imageNames.set(sha, name);
  sessionStorage.setItem(NAMES_KEY, JSON.stringify(Object.fromEntries(imageNames)));
}

const main = byId('main');

async function showBanner(key: string | null) {
  const info = await serviceInfo(key);
  const banner = byId('standin');
  if (info?.standin) {
    banner.textContent =
      'Stand-in models: this refseg runs generated stand-ins for SAM2 and DINOv2. They tell flat colours apart and nothing else, so results on real photos mean nothing. Use it to try the flow; start refseg with real models for real work.';
    banner.hidden = false;
  } else banner.hidden = true;
}

function renderAccount() {
  const account = byId('account');
  const s = state.session;
  account.replaceChildren(
    ...(s
      ? [
          h('span', { class: 'muted' }, s.role === 'admin' ? 'Admin' : `Key …${s.key.slice(-4)}`),
          h('button', {
            type: 'button',
            onclick: () => {
              signOut();
              Object.assign(state, { session: null, banks: [], bank: null, references: [], segment: null, annotate: null });
              announce('Signed out.');
              render();
            },
          }, 'Sign out'),
        ]
      : []),
  );
}

async function onSession(s: Session) {
  state.session = s;
  void showBanner(s.key);
  if (s.role === 'tenant') await loadBanks();
  render();
}

async function loadBanks() {
  if (!state.session) return;
  try {
    state.banks = await state.session.client.listBanks();
    state.error = '';
  } catch (err) {
    state.error = errorText(err);
  }
}

async function openBank(bankId: string) {
  if (!state.session) return;
  try {
    const [bank, references] = await Promise.all([state.session.client.getBank(bankId), state.session.client.listReferences(bankId)]);
    if (state.bank?.id !== bankId) state.tab = 'references';
    state.bank = bank;
    state.references = references;
    state.error = '';
  } catch (err) {
    state.error = errorText(err);
    state.bank = null;
  }
  render();
}

async function reloadBank() {
  await loadBanks();
  if (state.bank) {
    const stillThere = state.banks.some((b) => b.id === state.bank!.id);
    if (stillThere) return openBank(state.bank.id);
    state.bank = null;
  }
  render();
}

function bankPanel(s: Session, bank: BankView): HTMLElement {
  const hooks = { reload: reloadBank, imageName: (sha: string | undefined) => (sha ? imageNames.get(sha) : undefined) };
  const tabs: [Tab, string][] = [
    ['references', `References (${bank.referenceCount})`],
    ['segment', 'Segment'],
  ];
  const tabList = h(
    'div',
    { class: 'tabs', role: 'tablist', 'aria-label': 'Work on this bank' },
    tabs.map(([t, label]) =>
      h('button', {
        type: 'button',
        role: 'tab',
        id: `tab-${t}`,
        'aria-selected': state.tab === t ? 'true' : 'false',
        'aria-controls': `panel-${t}`,
        tabIndex: state.tab === t ? 0 : -1,
        onclick: () => {
          state.tab = t;
          render();
          document.getElementById(`tab-${t}`)?.focus();
        },
        onkeydown: (ev: Event) => {
          const k = (ev as KeyboardEvent).key;
          if (k !== 'ArrowLeft' && k !== 'ArrowRight') return;
          state.tab = state.tab === 'references' ? 'segment' : 'references';
          render();
          document.getElementById(`tab-${state.tab}`)?.focus();
        },
      }, label),
    ),
  );
  let panel: HTMLElement;
  if (state.tab === 'references') {
    panel = h(
      'div',
      { role: 'tabpanel', id: 'panel-references', 'aria-labelledby': 'tab-references', class: 'stack' },
      classesView(s, bank, hooks),
      referencesView(s, bank, state.references, hooks),
      kept('annotate', bank, () => annotateView(s, bank, { added: reloadBank, rememberImage })),
    );
  } else {
    panel = h('div', { role: 'tabpanel', id: 'panel-segment', 'aria-labelledby': 'tab-segment' }, kept('segment', bank, () => segmentView(s, bank)));
  }
  const noRefs = bank.classes.every((c) => c.positives === 0);
  return h(
    'div',
    { class: 'bank-panel stack' },
    h('div', { class: 'bank-head' },
      h('h2', { id: 'bank-title' }, bank.name),
      h('span', { class: 'muted mono' }, bank.id),
      noRefs ? h('span', { class: 'tag' }, 'add references before segmenting') : null,
    ),
    tabList,
    panel,
  );
}

function render() {
  renderAccount();
  const s = state.session;
  if (!s) {
    main.replaceChildren(signInView((session) => void onSession(session)));
    return;
  }
  if (s.role === 'admin') {
    main.replaceChildren(
      adminView(s, (key) => {
        void signIn(key).then(onSession, (err: unknown) => announce(errorText(err)));
      }),
    );
    return;
  }
  // The annotation editor holds unsaved work; keep the segment view element (its queue) alive.
  const layout = h(
    'div',
    { class: 'layout' },
    h('div', { class: 'side' }, banksView(s, state.banks, state.bank?.id ?? null, { open: (id) => void openBank(id), changed: reloadBank })),
    h('div', { class: 'content' },
      state.error ? h('p', { class: 'error', role: 'alert' }, state.error) : null,
      state.bank ? bankPanel(s, state.bank) : h('section', { class: 'card' }, h('h2', {}, 'Start here'), h('ol', { class: 'steps' },
        h('li', {}, 'Create a bank with the classes you want to find (or import a bank file).'),
        h('li', {}, 'Add reference images: mark a few examples of each class with a box, points or the brush.'),
        h('li', {}, 'Segment: drop images or a folder; adjust the score and download the results.'),
      )),
    ),
  );
  main.replaceChildren(layout);
}

async function boot() {
  void showBanner(null);
  const key = storedKey();
  if (key) {
    try {
      await onSession(await signIn(key));
      return;
    } catch {
      signOut();
    }
  }
  render();
}

void boot();
