// The analysts' page: the correlation table (replaced when a push brings a
// new one), the scatter and trend plots, and the table as CSV or NDJSON.
// Plots and downloads need the bearer token, so they are fetched, then
// shown as data: URLs (allowed by the Content-Security-Policy) or saved
// from a blob.

import { api, boot, errorText, formatDate, formatNumber, h, metricName, request, showText, t } from './common.js';
import { Live } from './live.js';

const meta = document.getElementById('corr-meta');
const body = document.getElementById('correlations-body');
const note = document.getElementById('corr-note');
const lagFilter = document.getElementById('corr-lag');

// table is the correlation table shown, filtered by lagFilter.
let table = null;
const scatterForm = document.getElementById('scatter-form');
const trendsForm = document.getElementById('trends-form');

const report = (err) => showText(document.getElementById('page-error'), errorText(err));

const live = new Live({
  topics: ['correlations'],
  statusEl: document.getElementById('live-status'),
  onReady: () => loadTable().catch(report),
  onMessage: (msg) => {
    if (msg.type === 'correlations' && msg.table) {
      table = msg.table;
      renderTable();
      note.textContent = t('an.updated');
    }
  },
});

const num = (x, decimals) => (x === null || x === undefined ? t('common.none') : formatNumber(x, decimals));

/** pValue formats a p-value, small ones as "< 0.001". */
function pValue(p) {
  if (p === null || p === undefined) return t('common.none');
  return p < 0.001 ? '< ' + formatNumber(0.001, 3) : formatNumber(p, 3);
}

/** renderTable shows the rows of the correlation table at the chosen lag. */
function renderTable() {
  meta.textContent = t('an.meta', { from: table.filters.from, to: table.filters.to, k: table.k, min_n: table.min_n }) +
    ' ' + t('an.generated', { time: formatDate(table.generated_at) });
  body.dataset.generatedAt = table.generated_at;
  const rows = table.rows.filter((r) => lagFilter.value === 'all' || String(r.lag) === lagFilter.value);
  if (rows.length === 0) {
    body.replaceChildren(h('tr', {}, h('td', { colspan: 10, class: 'text' }, t('an.empty'))));
    return;
  }
  body.replaceChildren(...rows.map((r) => h('tr', {},
    h('td', { class: 'text' }, t('an.method.' + r.method)),
    h('td', { class: 'text' }, metricName(r.x) + ' → ' + metricName(r.y)),
    h('td', {}, String(r.lag)),
    h('td', {}, String(r.n)),
    h('td', {}, String(r.teams)),
    h('td', {}, num(r.r, 2)),
    h('td', {}, r.ci_low === null ? t('common.none') : `${num(r.ci_low, 2)} … ${num(r.ci_high, 2)}`),
    h('td', {}, pValue(r.p)),
    h('td', {}, pValue(r.p_adjusted)),
    h('td', { class: 'text' }, r.reason || ''))));
}

async function loadTable() {
  table = await api('/analysis/correlations?format=json');
  renderTable();
}

/** dataURL reads a blob as a data: URL. */
function dataURL(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.addEventListener('load', () => resolve(reader.result));
    reader.addEventListener('error', () => reject(reader.error));
    reader.readAsDataURL(blob);
  });
}

/** showPlot fetches a PNG plot and shows it in img with alt text. */
async function showPlot(path, img, errorEl, alt) {
  showText(errorEl, '');
  try {
    const blob = await (await request(path)).blob();
    img.src = await dataURL(blob);
    img.alt = alt;
    img.hidden = false;
  } catch (err) {
    img.hidden = true;
    showText(errorEl, errorText(err));
  }
}

function showScatter() {
  const f = new FormData(scatterForm);
  const q = new URLSearchParams({ x: f.get('x'), y: f.get('y'), lag: f.get('lag'), format: 'png' });
  return showPlot('/analysis/plots/scatter?' + q, document.getElementById('scatter-img'), document.getElementById('scatter-error'),
    t('an.scatter_alt', { x: metricName(f.get('x')), y: metricName(f.get('y')), lag: f.get('lag') }));
}

function showTrends() {
  const f = new FormData(trendsForm);
  const q = new URLSearchParams({ metric: f.get('metric'), format: 'png' });
  return showPlot('/analysis/plots/trends?' + q, document.getElementById('trends-img'), document.getElementById('trends-error'),
    t('an.trends_alt', { metric: metricName(f.get('metric')) }));
}

/** download fetches the table in format and saves it as a file. */
async function download(format) {
  try {
    const resp = await request('/analysis/correlations?format=' + format);
    const disposition = resp.headers.get('Content-Disposition') || '';
    const match = /filename="?([^";]+)"?/.exec(disposition);
    const url = URL.createObjectURL(await resp.blob());
    const a = h('a', { href: url, download: match ? match[1] : 'correlations.' + format, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  } catch (err) {
    report(err);
  }
}

scatterForm.addEventListener('submit', (ev) => {
  ev.preventDefault();
  showScatter();
});
trendsForm.addEventListener('submit', (ev) => {
  ev.preventDefault();
  showTrends();
});
lagFilter.addEventListener('change', () => {
  if (table) renderTable();
});
document.getElementById('download-csv').addEventListener('click', () => download('csv'));
document.getElementById('download-ndjson').addEventListener('click', () => download('ndjson'));
document.getElementById('scatter-y').value = 'engagement';
document.getElementById('trends-metric').value = 'engagement';

boot(async () => {
  await loadTable();
  await Promise.all([showScatter(), showTrends()]);
  if (!live.ws && !live.timer) live.start();
});
