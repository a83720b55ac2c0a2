// Shared helpers of the Empulse pages: the dictionary, the bearer token,
// calls to the JSON API, DOM building without HTML strings, and sign-in.

const dict = JSON.parse(document.getElementById('i18n').textContent);

/** The page's language, as rendered by the server. */
export const lang = document.documentElement.lang;

/**
 * t returns the text of key in the page's language with {name}
 * placeholders replaced from vars.
 */
export function t(key, vars = {}) {
  const s = dict[key];
  if (s === undefined) {
    console.error('empulse: no text for', key);
    return key;
  }
  return s.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

/** metricName returns the display name of a metric ("driver:x" included). */
export function metricName(metric) {
  if (metric.startsWith('driver:')) {
    return t('metric.driver', { name: metric.slice('driver:'.length) });
  }
  return ('metric.' + metric) in dict ? t('metric.' + metric) : metric;
}

const numberFormats = new Map();

/** formatNumber formats x with the given number of decimals. */
export function formatNumber(x, decimals = 0) {
  if (!numberFormats.has(decimals)) {
    numberFormats.set(decimals, new Intl.NumberFormat(lang, {
      minimumFractionDigits: decimals, maximumFractionDigits: decimals,
    }));
  }
  return numberFormats.get(decimals).format(x);
}

/** formatDate formats an RFC 3339 time as a date and time of the page's language. */
export function formatDate(s) {
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(s));
}

/**
 * h creates an element: attrs sets attributes ("class", "text" for the text
 * content, "on<event>" for listeners; false and null are skipped), and
 * children are appended as nodes or text.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  for (const c of children.flat()) {
    if (c !== null && c !== undefined && c !== false) {
      el.append(c instanceof Node ? c : String(c));
    }
  }
  return el;
}

/** svg creates an SVG element with attrs. */
export function svg(tag, attrs = {}) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  setAttrs(el, attrs);
  return el;
}

function setAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    if (k === 'text') el.textContent = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
}

const tokenKey = 'empulse_token';

/** token returns the bearer token of this browser tab, or "". */
export function token() {
  return sessionStorage.getItem(tokenKey) || '';
}

/**
 * takeTokenFromFragment moves a personal link's #token=... into this tab's
 * session storage and removes it from the address bar and history.
 */
function takeTokenFromFragment() {
  const params = new URLSearchParams(location.hash.slice(1));
  const tok = params.get('token');
  if (tok) {
    sessionStorage.setItem(tokenKey, tok);
    history.replaceState(null, '', location.pathname + location.search);
  }
}

/** ApiError is an error answer of the API: {"error":{"code","field","message"}}. */
export class ApiError extends Error {
  constructor(status, code, field, message) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field || '';
  }
}

/**
 * request calls the API at /api/v1 + path with the bearer token and returns
 * the Response, or throws an ApiError (status 0 when the network failed).
 */
export async function request(path, { method = 'GET', body, headers = {} } = {}) {
  const hs = { Authorization: 'Bearer ' + token(), ...headers };
  if (body !== undefined) hs['Content-Type'] = 'application/json';
  let resp;
  try {
    resp = await fetch('/api/v1' + path, {
      method, headers: hs, cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', '', t('error.network'));
  }
  if (!resp.ok) {
    let e = {};
    try {
      e = (await resp.json()).error || {};
    } catch {
      // Not the API's error body: the status text says enough.
    }
    throw new ApiError(resp.status, e.code || 'http', e.field, e.message || resp.statusText);
  }
  return resp;
}

/** api calls the API like request and returns the decoded JSON answer. */
export async function api(path, options) {
  return (await request(path, options)).json();
}

/**
 * errorText returns the message of err for people; when the API named a
 * field, it is named too, through label(field) when that knows it.
 */
export function errorText(err, label = () => '') {
  if (err instanceof ApiError && err.field) {
    return t('error.field', { field: label(err.field) || err.field, message: err.message });
  }
  return err.message;
}

/** randomKey returns 128 random bits in hex, for Idempotency-Key headers. */
export function randomKey() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** show shows or hides el and sets its text. */
export function showText(el, text) {
  el.textContent = text || '';
  el.hidden = !text;
}

/**
 * boot runs a page: it takes a token from the address fragment, asks for
 * one by hand when there is none, and calls run() once there is. When the
 * API refuses the token, it is forgotten and asked for again, saying to
 * ask for a new link when the link has expired or been revoked.
 */
export function boot(run) {
  takeTokenFromFragment();
  const signin = document.getElementById('signin');
  const form = document.getElementById('signin-form');
  const input = document.getElementById('token-input');
  const signinError = document.getElementById('signin-error');
  const signout = document.getElementById('signout');
  const pageError = document.getElementById('page-error');
  const app = document.getElementById('app');

  const askToken = (message) => {
    signin.hidden = false;
    signout.hidden = true;
    if (app) app.hidden = true;
    showText(signinError, message);
    input.setAttribute('aria-invalid', message ? 'true' : 'false');
    input.focus();
  };
  const start = async () => {
    if (!token()) {
      askToken('');
      return;
    }
    signin.hidden = true;
    signout.hidden = false;
    showText(pageError, '');
    if (app) app.hidden = false;
    try {
      await run();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        sessionStorage.removeItem(tokenKey);
        // The API names the field "token" when the link itself is known
        // but has expired or been revoked: only a new link helps.
        askToken(t(err.field === 'token' ? 'token.expired' : 'token.invalid'));
        return;
      }
      showText(pageError, errorText(err));
    }
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const tok = input.value.trim();
    input.value = '';
    if (!tok) {
      askToken(t('token.invalid'));
      return;
    }
    sessionStorage.setItem(tokenKey, tok);
    start();
  });
  signout.addEventListener('click', () => {
    sessionStorage.removeItem(tokenKey);
    location.reload();
  });
  start();
}
