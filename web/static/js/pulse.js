// The pulse page: the member's open pulses, one form per pulse, with one
// fieldset of large radio choices per question. The answer is confirmed in
// a polite live region once the API has stored it.

import { api, boot, errorText, formatDate, h, lang, randomKey, request, t } from './common.js';

const list = document.getElementById('pulses');
const status = document.getElementById('pulse-status');

// instruments caches GET /instruments/{id}, for the scale's end labels.
const instruments = new Map();

function instrument(id) {
  if (!instruments.has(id)) {
    instruments.set(id, api('/instruments/' + encodeURIComponent(id)).catch(() => null));
  }
  return instruments.get(id);
}

/** inLang picks the text of the page's language, else English, else any. */
function inLang(texts) {
  if (!texts) return '';
  return texts[lang] || texts.en || Object.values(texts)[0] || '';
}

function announce(text, kind) {
  status.textContent = '';
  status.dataset.kind = kind;
  // A fresh text node makes screen readers announce a repeated message too.
  status.append(text);
}

/** question builds the fieldset of question q, the i-th of pulse p. */
function question(p, q, i, def) {
  const id = `p${p.pulse_id}-q${i}`;
  const labels = def && def.scale && def.scale.labels ? (def.scale.labels[lang] || def.scale.labels.en) : null;
  const hint = labels
    ? t('pulse.scale', { min: q.min, max: q.max, minLabel: labels.min, maxLabel: labels.max })
    : t('pulse.scale_plain', { min: q.min, max: q.max });
  const choices = h('div', { class: 'choices' });
  for (let v = q.min; v <= q.max; v++) {
    const inputId = `${id}-v${v}`;
    let end = '';
    if (labels && v === q.min) end = labels.min;
    if (labels && v === q.max) end = labels.max;
    choices.append(h('span', { class: 'choice' },
      h('input', { type: 'radio', id: inputId, name: `${id}`, value: v, 'data-key': q.key }),
      h('label', { for: inputId, 'data-testid': `choice-${q.key}-${v}` },
        String(v), end ? h('span', { class: 'visually-hidden' }, ', ' + end) : null)));
  }
  const fs = h('fieldset', { class: 'question', id, 'data-key': q.key, 'aria-describedby': `${id}-hint ${id}-error` },
    h('legend', {}, inLang(q.text)),
    h('p', { class: 'help', id: `${id}-hint` }, hint),
    choices,
    h('p', { class: 'error', id: `${id}-error`, hidden: true }));
  if (def && def.validated === false) {
    fs.append(h('p', { class: 'not-validated' }, t('pulse.not_validated')));
  }
  return fs;
}

/** received replaces the form of pulse p with the confirmation. */
function received(form, p) {
  const done = h('div', { class: 'received', tabindex: '-1', 'data-testid': `received-${p.pulse_id}` },
    h('p', {}, t('pulse.received')));
  form.replaceWith(done);
  done.focus();
}

/** submit posts the answers of form to pulse p. */
async function submit(ev, form, p) {
  ev.preventDefault();
  const button = form.querySelector('button[type=submit]');
  const values = {};
  for (const input of form.querySelectorAll('input[type=radio]:checked')) {
    values[input.dataset.key] = Number(input.value);
  }
  const body = { values };
  const comment = form.querySelector('textarea').value.trim();
  if (comment) body.comment = comment;
  for (const fs of form.querySelectorAll('fieldset')) fs.removeAttribute('aria-invalid');
  for (const e of form.querySelectorAll('.error')) e.hidden = true;

  // The same key for every try of this pulse in this tab, so that a retry
  // after a lost answer is not a second answer.
  const keyName = 'empulse_answer_' + p.pulse_id;
  const key = sessionStorage.getItem(keyName) || randomKey();
  sessionStorage.setItem(keyName, key);

  button.disabled = true;
  announce(t('pulse.sending'), 'busy');
  try {
    await request(`/surveys/${encodeURIComponent(p.survey_id)}/pulses/${encodeURIComponent(p.pulse_id)}/answers`,
      { method: 'POST', body, headers: { 'Idempotency-Key': key } });
    sessionStorage.removeItem(keyName);
    announce(t('pulse.received'), 'ok');
    received(form, p);
  } catch (err) {
    button.disabled = false;
    const labelOf = (field) => {
      const key = field.startsWith('values.') ? field.slice('values.'.length) : '';
      const q = p.questions.find((x) => x.key === key);
      return q ? inLang(q.text) : '';
    };
    const text = t('pulse.failed', { error: errorText(err, labelOf) });
    announce(text, 'error');
    const fs = err.field && [...form.querySelectorAll('fieldset')].find((f) => 'values.' + f.dataset.key === err.field);
    if (fs) {
      fs.setAttribute('aria-invalid', 'true');
      const msg = fs.querySelector('.error');
      msg.textContent = err.message;
      msg.hidden = false;
      fs.querySelector('input').focus();
    } else if (err.field === 'comment') {
      form.querySelector('textarea').focus();
    }
  }
}

/** pulseSection builds the form of pulse p, or says it was answered. */
async function pulseSection(p) {
  const headingId = `p${p.pulse_id}-title`;
  const section = h('section', { class: 'pulse', 'aria-labelledby': headingId, 'data-testid': `pulse-${p.pulse_id}` },
    h('h2', { id: headingId }, p.survey_name),
    h('p', { class: 'help' }, t('pulse.closes', { date: formatDate(p.closes_at) })));
  if (p.answered) {
    section.append(h('p', { class: 'received' }, t('pulse.already')));
    return section;
  }
  const defs = await Promise.all(p.questions.map((q) => instrument(q.instrument)));
  const commentId = `p${p.pulse_id}-comment`;
  const form = h('form', { novalidate: true, 'data-testid': `form-${p.pulse_id}` },
    p.questions.map((q, i) => question(p, q, i, defs[i])),
    h('div', { class: 'field' },
      h('label', { for: commentId }, t('pulse.comment')),
      h('p', { class: 'help', id: `${commentId}-help` }, t('pulse.comment_help')),
      h('textarea', { id: commentId, rows: 3, maxlength: 2000, 'aria-describedby': `${commentId}-help` })),
    h('button', { type: 'submit', class: 'button', 'data-testid': `submit-${p.pulse_id}` }, t('pulse.submit')));
  form.addEventListener('submit', (ev) => submit(ev, form, p));
  section.append(form);
  return section;
}

boot(async () => {
  list.setAttribute('aria-busy', 'true');
  const { pulses } = await api('/me/pulses');
  const sections = pulses.length === 0
    ? [h('p', { 'data-testid': 'no-pulse' }, t('pulse.none'))]
    : await Promise.all(pulses.map(pulseSection));
  list.replaceChildren(...sections);
  list.setAttribute('aria-busy', 'false');
});
