// Presenting scores: values with their units, suppression in plain words,
// heat levels and sparklines.

import { formatNumber, metricName, svg, t } from './common.js';

const baseOrder = ['participation', 'engagement', 'wellbeing', 'wellbeing_low_share', 'enps'];
const recognitionMetrics = ['recognitions_given_per_member', 'recognitions_received_per_member'];

/** orderMetrics sorts metric names: participation and the scores first, drivers, then recognition. */
export function orderMetrics(metrics) {
  const rank = (m) => {
    const i = baseOrder.indexOf(m);
    if (i >= 0) return i;
    if (m.startsWith('driver:')) return baseOrder.length;
    return baseOrder.length + 1 + recognitionMetrics.indexOf(m);
  };
  return [...metrics].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** isRecognition reports whether metric counts recognitions per member. */
export function isRecognition(metric) {
  return recognitionMetrics.includes(metric);
}

/** formatValue formats value of metric with its unit. */
export function formatValue(metric, value) {
  if (isRecognition(metric)) return formatNumber(value, 1);
  if (metric === 'participation' || metric === 'wellbeing_low_share') return formatNumber(value, 0) + '%';
  if (metric === 'enps') return (value > 0 ? '+' : '') + formatNumber(value, 0);
  return formatNumber(value, 0);
}

/** detail says who a shown figure rests on. */
export function detail(metric, score) {
  return isRecognition(metric)
    ? t('dash.members', { n: score.respondents })
    : t('dash.respondents', { n: score.respondents });
}

/**
 * hiddenKind returns "fewer" or "withheld" for the reason of a suppressed
 * score, "" for another reason.
 */
export function hiddenKind(reason) {
  if (reason.startsWith('fewer than')) return 'fewer';
  if (reason.startsWith('withheld')) return 'withheld';
  return '';
}

/** explain returns the plain words for a suppressed score's reason; k may be null. */
export function explain(reason, k) {
  switch (hiddenKind(reason)) {
    case 'fewer': return k ? t('hidden.fewer', { k }) : t('hidden.fewer_any');
    case 'withheld': return t('hidden.withheld');
    default: return t('hidden.short') + ': ' + reason;
  }
}

/** domain returns the [low, high] range of a metric, given the values shown. */
function domain(metric, values) {
  if (metric === 'enps') return [-100, 100];
  if (isRecognition(metric)) return [0, Math.max(1, ...values.filter((v) => v !== null))];
  return [0, 100];
}

/**
 * level returns the heat level 0-4 of value (4 is best), for a column
 * whose largest shown value is colMax. A larger share of low wellbeing is
 * worse.
 */
export function level(metric, value, colMax) {
  const [lo, hi] = domain(metric, [colMax]);
  let x = (value - lo) / (hi - lo);
  if (metric === 'wellbeing_low_share') x = 1 - x;
  return Math.max(0, Math.min(4, Math.floor(x * 5)));
}

/** trendText describes a TrendLine in words. */
export function trendText(metric, trend) {
  if (!trend || trend.slope_per_week === null || trend.points < 2) return t('dash.trend_none');
  const slope = trend.slope_per_week;
  const decimals = isRecognition(metric) ? 2 : 1;
  if (Math.abs(slope) < 10 ** -decimals / 2) return t('dash.trend_flat', { points: trend.points });
  const key = slope > 0 ? 'dash.trend_up' : 'dash.trend_down';
  return t(key, { slope: formatNumber(Math.abs(slope), decimals), points: trend.points });
}

/**
 * sparkline returns an SVG of values (null for weeks not shown), drawn as
 * lines between consecutive shown weeks and dots for lone ones. It is
 * decorative: the trend is also given in words.
 */
export function sparkline(metric, values) {
  const w = 100;
  const hgt = 32;
  const pad = 3;
  const [lo, hi] = domain(metric, values);
  const x = (i) => (values.length < 2 ? w / 2 : (i * w) / (values.length - 1));
  const y = (v) => hgt - pad - ((Math.max(lo, Math.min(hi, v)) - lo) / (hi - lo)) * (hgt - 2 * pad);
  const el = svg('svg', {
    class: 'spark', viewBox: `0 0 ${w} ${hgt}`, preserveAspectRatio: 'none',
    'aria-hidden': 'true', focusable: 'false', 'data-testid': 'spark-' + metric,
  });
  let run = [];
  const flush = () => {
    if (run.length === 1) {
      el.append(svg('circle', { cx: run[0][0], cy: run[0][1], r: 1.6 }));
    } else if (run.length > 1) {
      el.append(svg('polyline', { points: run.map((p) => p.join(',')).join(' ') }));
    }
    run = [];
  };
  values.forEach((v, i) => {
    if (v === null) flush();
    else run.push([x(i).toFixed(2), y(v).toFixed(2)]);
  });
  flush();
  return el;
}
