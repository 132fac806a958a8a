// The admin key's page: create an API key for a tenant (its secret is shown once), list and
// revoke a tenant's keys, or continue with a new key as that tenant.
import { createKey, errorText, listKeys, revokeKey } from '../api.ts';
import type { Session } from '../api.ts';
import { announce, field, h } from '../dom.ts';

export function adminView(s: Session, useKey: (key: string) => void): HTMLElement {
  const tenant = h('input', { type: 'text', required: true, pattern: '[A-Za-z0-9_\\-]{1,64}', value: 'default', autocomplete: 'off' });
  const label = h('input', { type: 'text', maxLength: 200, autocomplete: 'off' });
  const out = h('div', { class: 'created', 'aria-live': 'polite' });
  const keys = h('ul', { class: 'list' });
  const error = h('p', { class: 'error', role: 'alert' });

  async function refresh() {
    try {
      const list = await listKeys(s, tenant.value);
      keys.replaceChildren(
        ...(list.length === 0 ? [h('li', { class: 'muted' }, `No keys for tenant "${tenant.value}".`)] : []),
        ...list.map((k) =>
          h(
            'li',
            { class: 'row' },
            h('span', { class: 'grow' }, h('code', {}, k.hint), ` ${k.label ?? ''} · created ${new Date(k.createdAt).toLocaleString()}`),
            h('button', {
              type: 'button',
              class: 'danger',
              'aria-label': `Revoke key ${k.hint}`,
              onclick: async () => {
                if (!confirm(`Revoke key ${k.hint}? Requests with it fail at once.`)) return;
                await revokeKey(s, k.id).catch((e: unknown) => (error.textContent = errorText(e)));
                announce('Key revoked.');
                void refresh();
              },
            }, 'Revoke'),
          ),
        ),
      );
    } catch (err) {
      error.textContent = errorText(err);
    }
  }

  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'admin-title' },
    h('h2', { id: 'admin-title' }, 'API keys'),
    h('p', {}, 'You are signed in with the admin key: it manages keys only. Banks belong to tenants; make a key for one and continue with it.'),
    h('div', { class: 'inline' }, field('Tenant', tenant, 'Letters, digits, _ or -.'), field('Label (optional)', label)),
    h('button', { type: 'submit', class: 'primary' }, 'Create key'),
    error,
    out,
    h('h3', {}, 'Keys of this tenant'),
    keys,
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.textContent = '';
    try {
      const { key, secret } = await createKey(s, tenant.value, label.value);
      const secretBox = h('input', { type: 'text', readOnly: true, value: secret, class: 'mono', 'aria-label': 'New API key (shown once)' });
      out.replaceChildren(
        h('p', { class: 'ok' }, `Key ${key.hint} created for tenant "${key.tenant}". Copy it now: it is shown once.`),
        secretBox,
        h('div', { class: 'inline' },
          h('button', { type: 'button', onclick: () => void navigator.clipboard?.writeText(secret).then(() => announce('Key copied.'), () => secretBox.select()) }, 'Copy'),
          h('button', { type: 'button', class: 'primary', onclick: () => useKey(secret) }, `Continue as tenant "${key.tenant}"`),
        ),
      );
      announce('Key created.');
      void refresh();
    } catch (err) {
      error.textContent = errorText(err);
    }
  });
  tenant.addEventListener('change', () => void refresh());
  void refresh();
  return form;
}
