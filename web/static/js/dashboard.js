// The leaders' dashboard: a team's scores this week with trend sparklines,
// a heat map of its subtree, participation, and suppressed figures
// explained in plain words. Live pushes update the figures in place.

import { ApiError, api, boot, errorText, h, metricName, showText, t } from './common.js';
import { Live } from './live.js';
import { detail, explain, formatValue, hiddenKind, level, orderMetrics, sparkline, trendText } from './scores.js';

const picker = document.getElementById('team');
const noTeams = document.getElementById('no-teams');
const scoresHeading = document.getElementById('scores-heading');
const cards = document.getElementById('cards');
const heatTable = document.getElementById('heatmap');
const heatNotes = document.getElementById('heat-notes');
const heatCaption = document.getElementById('heatmap-caption');
const comments = document.getElementById('comments');
const liveNote = document.getElementById('live-note');

const state = {
  teams: [], // in tree order, each with its depth
  team: '', // the selected team's id
  k: null, // the largest k of the surveys, for the explanations
  scores: null, // GET /teams/{team}/scores
  heat: null, // GET /scores/heatmap?team=
  loading: null, // the snapshot being loaded, while it is
  pending: [], // pushes that arrived while loading
};

const report = (err) => showText(document.getElementById('page-error'), errorText(err));

const live = new Live({
  topics: [],
  statusEl: document.getElementById('live-status'),
  onReady: () => loadTeam().catch(report),
  onMessage: (msg) => {
    if (msg.type !== 'scores') return;
    if (state.loading) state.pending.push(msg);
    else applyPush(msg);
  },
});

const teamName = (id) => (state.teams.find((x) => x.id === id) || { name: id }).name;

/** treeOrder returns teams parents first, each with its depth under the visible roots. */
function treeOrder(teams) {
  const ids = new Set(teams.map((x) => x.id));
  const children = new Map();
  for (const x of teams) {
    const parent = ids.has(x.parent_id) ? x.parent_id : '';
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(x);
  }
  const out = [];
  const walk = (parent, depth) => {
    for (const x of (children.get(parent) || []).sort((a, b) => a.name.localeCompare(b.name))) {
      out.push({ ...x, depth });
      walk(x.id, depth + 1);
    }
  };
  walk('', 0);
  return out;
}

/** card builds the card of one metric of the selected team. */
function card(metric, score, values, trend) {
  const li = h('li', { class: 'card', 'data-metric': metric, 'data-testid': 'card-' + metric },
    h('h3', {}, metricName(metric)));
  if (!score) {
    li.append(h('p', { class: 'value', 'data-hidden': true }, t('common.none')));
  } else if (score.suppressed) {
    li.append(h('p', { class: 'value', 'data-hidden': true, 'data-testid': 'value-' + metric }, t('hidden.short')),
      h('p', { class: 'detail', 'data-testid': 'reason-' + metric }, explain(score.reason, state.k)));
  } else {
    li.append(h('p', { class: 'value', 'data-testid': 'value-' + metric }, formatValue(metric, score.value)),
      h('p', { class: 'detail' }, detail(metric, score)));
  }
  li.append(sparkline(metric, values), h('p', { class: 'detail' }, trendText(metric, trend)));
  return li;
}

function currentWeek() {
  const s = state.scores;
  return s.weeks.find((w) => w.week === s.to) || { week: s.to, scores: {}, comments: null };
}

/** renderScores draws the cards of the selected team; changed names metrics to mark as updated. */
function renderScores(changed = new Set()) {
  const s = state.scores;
  const now = currentWeek();
  scoresHeading.textContent = t('dash.scores', { week: s.to });
  const metrics = new Set(Object.keys(now.scores));
  for (const w of s.weeks) for (const m of Object.keys(w.scores)) metrics.add(m);
  cards.replaceChildren(...orderMetrics(metrics).map((m) => {
    const values = s.weeks.map((w) => (w.scores[m] && !w.scores[m].suppressed ? w.scores[m].value : null));
    const c = card(m, now.scores[m], values, s.trend[m]);
    if (changed.has(m)) c.dataset.updated = 'true';
    return c;
  }));
  const c = now.comments;
  if (!c || c.suppressed) {
    comments.replaceChildren(h('p', { 'data-testid': 'comments-hidden' }, t('hidden.comments')));
  } else if (c.items.length === 0) {
    comments.replaceChildren(h('p', {}, t('dash.comments_none')));
  } else {
    comments.replaceChildren(h('ul', {}, c.items.map((text) => h('li', {}, text))));
  }
}

/** heatCell builds the cell of one team and metric. */
function heatCell(metric, score, colMax) {
  if (!score) return h('td', {}, t('common.none'));
  if (score.suppressed) {
    const kind = hiddenKind(score.reason) || 'other';
    return h('td', { 'data-hidden': kind, 'aria-describedby': 'note-' + kind }, t('hidden.short'));
  }
  return h('td', { 'data-level': level(metric, score.value, colMax) }, formatValue(metric, score.value));
}

/** colMaxima returns, per metric, the largest shown value of the heat map. */
function colMaxima() {
  const max = {};
  for (const m of state.heat.metrics) {
    max[m] = Math.max(0, ...state.heat.rows.map((r) => (r.scores[m] && !r.scores[m].suppressed ? r.scores[m].value : 0)));
  }
  return max;
}

function heatRow(row, depths, max, changed = new Set()) {
  return h('tr', { 'data-team': row.team_id },
    h('th', { scope: 'row', class: 'text', 'data-depth': Math.min(3, depths.get(row.team_id) || 0) }, row.name),
    state.heat.metrics.map((m) => {
      const td = heatCell(m, row.scores[m], max[m]);
      td.dataset.metric = m;
      if (changed.has(m)) td.dataset.updated = 'true';
      return td;
    }));
}

function heatDepths() {
  const depths = new Map();
  const byId = new Map(state.heat.rows.map((r) => [r.team_id, r]));
  const depth = (r) => {
    if (depths.has(r.team_id)) return depths.get(r.team_id);
    const parent = byId.get(r.parent_id);
    const d = parent ? depth(parent) + 1 : 0;
    depths.set(r.team_id, d);
    return d;
  };
  state.heat.rows.forEach(depth);
  return depths;
}

/** renderHeat draws the heat map of the selected team's subtree and its notes. */
function renderHeat() {
  const heat = state.heat;
  const max = colMaxima();
  const depths = heatDepths();
  heatCaption.textContent = t('dash.heatmap_caption', { team: teamName(state.team), week: heat.week });
  heatTable.replaceChildren(
    h('caption', { class: 'visually-hidden' }, t('dash.heatmap')),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col', class: 'text' }, t('dash.heat_team')),
      heat.metrics.map((m) => h('th', { scope: 'col' }, metricName(m))))),
    h('tbody', {}, heat.rows.map((r) => heatRow(r, depths, max))));
  renderHeatNotes();
}

/** renderHeatNotes explains, below the heat map, each reason a cell is hidden for. */
function renderHeatNotes() {
  const reasons = new Map(); // kind -> a reason of that kind
  for (const r of state.heat.rows) {
    for (const s of Object.values(r.scores)) if (s.suppressed) reasons.set(hiddenKind(s.reason) || 'other', s.reason);
  }
  heatNotes.replaceChildren(...['fewer', 'withheld', 'other'].filter((kind) => reasons.has(kind))
    .map((kind) => h('li', { id: 'note-' + kind }, explain(reasons.get(kind), state.k))));
}

/**
 * loadTeam loads the selected team's snapshot, then applies the pushes
 * that came meanwhile; when another team was selected during the load, it
 * loads that one next.
 */
function loadTeam() {
  if (state.loading) return state.loading;
  const team = state.team;
  state.loading = (async () => {
    try {
      const id = encodeURIComponent(team);
      const [scores, heat] = await Promise.all([api(`/teams/${id}/scores`), api(`/scores/heatmap?team=${id}`)]);
      state.scores = scores;
      state.heat = heat;
      renderScores();
      renderHeat();
      live.setTopics(heat.rows.map((r) => 'team:' + r.team_id));
    } finally {
      state.loading = null;
    }
    state.pending.splice(0).forEach(applyPush);
    if (state.team !== team) await loadTeam();
  })();
  return state.loading;
}

/** same reports whether two scores are the same figure. */
function same(a, b) {
  return JSON.stringify(a || null) === JSON.stringify(b || null);
}

/** applyPush applies a "scores" push to the cards and the heat map. */
function applyPush(msg) {
  let touched = false;
  const s = state.scores;
  if (s && msg.team === state.team && msg.week >= s.to) {
    let w = s.weeks.find((x) => x.week === msg.week);
    if (!w) {
      w = { week: msg.week, scores: {}, comments: null };
      s.weeks.push(w);
      s.weeks.shift();
      s.to = msg.week;
    }
    const changed = new Set(Object.keys(msg.scores).filter((m) => !same(w.scores[m], msg.scores[m])));
    w.scores = { ...w.scores, ...msg.scores };
    renderScores(changed);
    touched = true;
  }
  const heat = state.heat;
  const row = heat && heat.week === msg.week && heat.rows.find((r) => r.team_id === msg.team);
  if (row) {
    const changed = new Set(heat.metrics.filter((m) => m in msg.scores && !same(row.scores[m], msg.scores[m])));
    for (const m of heat.metrics) if (m in msg.scores) row.scores[m] = msg.scores[m];
    const tr = heatTable.querySelector(`tr[data-team="${CSS.escape(msg.team)}"]`);
    if (tr) tr.replaceWith(heatRow(row, heatDepths(), colMaxima(), changed));
    renderHeatNotes();
    touched = true;
  }
  if (touched) liveNote.textContent = t('dash.updated', { team: teamName(msg.team) });
}

picker.addEventListener('change', () => {
  state.team = picker.value;
  loadTeam().catch(report);
});

boot(async () => {
  const [{ teams }, me, k] = await Promise.all([
    api('/teams'),
    api('/me').catch((err) => {
      if (err instanceof ApiError && err.status === 403) return null;
      throw err;
    }),
    api('/surveys').then(({ surveys }) => Math.max(0, ...surveys.map((x) => x.k)) || null).catch(() => null),
  ]);
  state.k = k;
  state.teams = treeOrder(teams);
  if (state.teams.length === 0) {
    noTeams.hidden = false;
    picker.disabled = true;
    return;
  }
  picker.replaceChildren(...state.teams.map((x) =>
    h('option', { value: x.id }, '\u00a0\u00a0'.repeat(x.depth) + x.name)));
  const own = me && state.teams.find((x) => x.id === me.team_id);
  state.team = own ? own.id : state.teams[0].id;
  picker.value = state.team;
  await loadTeam();
  if (!live.ws && !live.timer) live.start();
});
