// The recognition page: give recognition to a colleague, and see what you
// received and gave this week. Leaders and admins choose the colleague
// from a list; employees, who cannot list members, enter their member id.

import { ApiError, api, boot, errorText, h, request, showText, t } from './common.js';

const form = document.getElementById('give-form');
const selectField = document.getElementById('receiver-select-field');
const select = document.getElementById('receiver-select');
const idField = document.getElementById('receiver-id-field');
const idInput = document.getElementById('receiver-id');
const known = document.getElementById('receiver-known');
const value = document.getElementById('value');
const message = document.getElementById('message');
const submitButton = document.getElementById('give-submit');
const status = document.getElementById('give-status');
const myId = document.getElementById('my-id');
const receivedList = document.getElementById('received');
const givenList = document.getElementById('given');
const remaining = document.getElementById('remaining');

// names maps member ids to names, for those the caller may see.
const names = new Map();

const receiverControl = () => (selectField.hidden ? idInput : select);

const fields = {
  receiver_id: { control: receiverControl, error: document.getElementById('receiver-error'), label: 'rec.receiver' },
  value: { control: () => value, error: document.getElementById('value-error'), label: 'rec.value' },
  message: { control: () => message, error: document.getElementById('message-error'), label: 'rec.message' },
};

function nameOf(id) {
  return names.get(id) || t('rec.colleague');
}

function recognitionItem(r, who) {
  return h('li', { 'data-testid': 'recognition-' + r.id },
    h('p', {}, h('span', { class: 'tag' }, r.value), ' ', h('strong', {}, who)),
    r.message_erased ? h('p', { class: 'meta' }, t('rec.erased')) : h('p', { class: 'message' }, r.message || ''),
    h('p', { class: 'meta' }, h('time', { datetime: r.day }, r.day)));
}

/** loadMine shows what the caller received and gave this week. */
async function loadMine() {
  const mine = await api('/me/recognitions');
  receivedList.replaceChildren(...(mine.received.length
    ? mine.received.map((r) => recognitionItem(r, t('rec.from', { name: nameOf(r.giver_id) })))
    : [h('li', {}, t('rec.received_none'))]));
  givenList.replaceChildren(...(mine.given.length
    ? mine.given.map((r) => recognitionItem(r, t('rec.to', { name: nameOf(r.receiver_id) })))
    : [h('li', {}, t('rec.given_none'))]));
  remaining.textContent = t('rec.remaining', { remaining: mine.remaining, allowance: mine.allowance });
  // Colleagues who recognised you are the likeliest to be thanked back.
  const ids = new Set(mine.received.map((r) => r.giver_id));
  known.replaceChildren(...[...ids].map((id) => h('option', { value: id })));
}

/** loadColleagues fills the chooser when the caller may list members. */
async function loadColleagues(me) {
  let members;
  try {
    ({ members } = await api('/members'));
  } catch (err) {
    if (err instanceof ApiError && err.status === 403) return;
    throw err;
  }
  const others = members.filter((m) => m.id !== me && !m.erased);
  for (const m of members) if (m.name) names.set(m.id, m.name);
  select.replaceChildren(select.options[0],
    ...others.map((m) => h('option', { value: m.id }, m.name || m.id)));
  selectField.hidden = false;
  idField.hidden = true;
}

function clearErrors() {
  for (const f of Object.values(fields)) {
    f.control().removeAttribute('aria-invalid');
    showText(f.error, '');
  }
}

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clearErrors();
  const body = {
    receiver_id: receiverControl().value.trim(),
    value: value.value.trim(),
    message: message.value.trim(),
  };
  submitButton.disabled = true;
  status.dataset.kind = 'busy';
  status.textContent = t('rec.sending');
  try {
    await request('/recognitions', { method: 'POST', body });
    status.dataset.kind = 'ok';
    status.textContent = t('rec.sent');
    message.value = '';
    await loadMine();
  } catch (err) {
    const f = fields[err.field];
    status.dataset.kind = 'error';
    status.textContent = t('rec.failed', { error: errorText(err, (field) => (fields[field] ? t(fields[field].label) : '')) });
    if (f) {
      f.control().setAttribute('aria-invalid', 'true');
      showText(f.error, err.message);
      f.control().focus();
    }
  } finally {
    submitButton.disabled = false;
  }
});

boot(async () => {
  let me = '';
  try {
    me = (await api('/me')).id;
    myId.textContent = me;
  } catch (err) {
    // The bootstrap admin is no member: it has no id to share.
    if (!(err instanceof ApiError && err.status === 403)) throw err;
  }
  await loadColleagues(me);
  await loadMine();
});
