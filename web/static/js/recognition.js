// The recognition page: give recognition to a colleague chosen from the
// directory, and see what you received and gave this week.

import { ApiError, api, boot, errorText, h, request, showText, t } from './common.js';

const form = document.getElementById('give-form');
const select = document.getElementById('receiver-select');
const value = document.getElementById('value');
const message = document.getElementById('message');
const submitButton = document.getElementById('give-submit');
const status = document.getElementById('give-status');
const receivedList = document.getElementById('received');
const givenList = document.getElementById('given');
const remaining = document.getElementById('remaining');

// names maps member ids to names, from the directory.
const names = new Map();

const receiverControl = () => select;

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
}

/** loadColleagues fills the chooser from the directory: every colleague but the caller, by name. */
async function loadColleagues(me) {
  const { members } = await api('/directory');
  for (const m of members) names.set(m.id, m.name);
  select.replaceChildren(select.options[0], ...members.filter((m) => m.id !== me)
    .map((m) => h('option', { value: m.id, 'data-testid': 'receiver-' + m.id }, t('rec.colleague_in', { name: m.name, team: m.team_name }))));
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
  } catch (err) {
    // The bootstrap admin is no member: it has no id to share.
    if (!(err instanceof ApiError && err.status === 403)) throw err;
  }
  await loadColleagues(me);
  await loadMine();
});
