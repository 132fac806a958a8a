// Sign in with an API key (tenant key rsk_…, or the operator's admin key to make keys).
import { errorText, signIn } from '../api.ts';
import type { Session } from '../api.ts';
import { announce, field, h } from '../dom.ts';

export function signInView(onSession: (s: Session) => void, prefill = ''): HTMLElement {
  const input = h('input', { type: 'password', autocomplete: 'off', spellcheck: false, required: true, value: prefill, placeholder: 'rsk_…' });
  const error = h('p', { class: 'error', role: 'alert' });
  const button = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const form = h(
    'form',
    { class: 'card narrow', 'aria-labelledby': 'signin-title' },
    h('h2', { id: 'signin-title' }, 'Sign in'),
    h('p', {}, 'Enter your API key. It stays in this tab only (session storage) and is sent only as an Authorization header.'),
    field('API key', input, 'A tenant key (rsk_…) to work with banks, or the admin key to create keys.'),
    button,
    error,
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.textContent = '';
    button.disabled = true;
    try {
      const s = await signIn(input.value);
      announce(s.role === 'admin' ? 'Signed in as admin.' : 'Signed in.');
      onSession(s);
    } catch (err) {
      error.textContent = `Sign-in failed: ${errorText(err)}`;
      input.focus();
    } finally {
      button.disabled = false;
    }
  });
  queueMicrotask(() => input.focus());
  return form;
}
