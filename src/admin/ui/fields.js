// @ts-check
// The review page's "Fields" card: noise calibration per field of one route
// (GET /api/routes/:name/fields), each field's verdict and suggestion, and a button that copies
// the config rule the suggestion names. Self-contained: it adds its own card after the routes
// card and reads the admin token app.js keeps in sessionStorage. Data from the API only ever
// reaches the DOM as text.

/**
 * @typedef {{ differs: number, total: number, rate: number | null }} Rate
 * @typedef {{ pointer: string, raw: Rate, legacyNoise: Rate, agentNoise: Rate, verdict: 'real' | 'noise' | 'agent_unstable' | 'insufficient', suggestion: string }} Field
 * @typedef {{ route: string, fields: Field[], calibration?: 'on' | 'off' }} FieldsResponse
 */

const TOKEN_KEY = 'shadowgate.adminToken';
const POLL_MS = 10_000;

/**
 * The config rule that silences a field, as a YAML line for the route, or null when there is
 * nothing to silence (a real difference, or not enough data).
 * @param {Field} field
 * @returns {string | null}
 */
export function ruleFor(field) {
  if (field.verdict !== 'noise' && field.verdict !== 'agent_unstable') return null;
  const p = field.pointer;
  if (p === 'other') return null;
  if (p === 'status') return 'compare: { status: false }';
  if (p.startsWith('header:')) return `# compare.headers: remove ${p.slice(7)}`;
  if (p === 'body' || p === '') return 'compare: { text: { mode: similarity } }';
  return `compare: { ignore: [${JSON.stringify(p)}] }`;
}

/**
 * "97/100 (97 %)", or "—" without data.
 * @param {Rate} r
 */
export function rateText(r) {
  if (!r || r.total === 0 || r.rate === null) return '—';
  const pct = r.rate * 100;
  const shown = pct === 0 || pct >= 1 ? Math.round(pct) : Number(pct.toPrecision(1));
  return `${r.differs}/${r.total} (${shown} %)`;
}

/** @type {Record<Field['verdict'], string>} */
const VERDICT_BADGE = { real: 'bad', noise: 'ok', agent_unstable: 'warn', insufficient: 'mode-shadow' };

/**
 * @param {string} tag
 * @param {Record<string, string | undefined>} [props]
 * @param {(Node | string)[]} children
 */
function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) if (value !== undefined) el.setAttribute(key, value);
  el.append(...children);
  return el;
}

/** @param {string} path */
async function api(path) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(path, { headers, cache: 'no-store', credentials: 'omit' });
  if (!res.ok) throw new Error(res.status === 401 ? 'admin token required' : `HTTP ${res.status}`);
  return res.json();
}

/** Copies text; falls back to a selected textarea where the Clipboard API is not offered (plain http). */
async function copy(/** @type {string} */ text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = h('textarea', { readonly: '', 'aria-hidden': 'true' });
    // CSSOM, not a style attribute: the page's CSP refuses inline styles.
    area.style.position = 'fixed';
    area.style.opacity = '0';
    area.textContent = text;
    document.body.append(area);
    /** @type {HTMLTextAreaElement} */ (area).select();
    const ok = document.execCommand('copy');
    area.remove();
    return ok;
  }
}

function mount() {
  const select = /** @type {HTMLSelectElement} */ (h('select', { id: 'fields-route', 'aria-label': 'Route' }));
  const note = h('span', { class: 'hint', id: 'fields-note' });
  const body = h('tbody', { id: 'fields-body' });
  const card = h('section', { class: 'card', id: 'fields-card', 'aria-labelledby': 'fields-title' },
    h('div', { class: 'card-head' }, h('h2', { id: 'fields-title' }, 'Fields'), select, note),
    h('div', { class: 'table-wrap' }, h('table', { class: 'fields', id: 'fields-table' },
      h('thead', {}, h('tr', {},
        h('th', {}, 'Field'), h('th', { class: 'num', title: 'legacy vs agent' }, 'Raw'),
        h('th', { class: 'num', title: 'legacy vs legacy' }, 'Legacy noise'), h('th', { class: 'num', title: 'agent vs agent' }, 'Agent noise'),
        h('th', {}, 'Verdict'), h('th', {}, 'Suggestion'), h('th', {}, ''))),
      body)));
  const anchor = document.getElementById('routes-card');
  if (anchor) anchor.after(card); else document.querySelector('main')?.prepend(card);

  /** @param {string} text */
  const placeholder = (text) => body.replaceChildren(h('tr', { class: 'placeholder' }, h('td', { colspan: '7' }, text)));

  async function refreshRoutes() {
    const { routes } = /** @type {{ routes: { name: string }[] }} */ (await api('/api/routes'));
    const names = routes.map((r) => r.name);
    const current = select.value;
    if (names.join('\n') !== [...select.options].map((o) => o.value).join('\n')) {
      select.replaceChildren(...names.map((n) => { const o = h('option', { value: n }, n); return o; }));
      if (names.includes(current)) select.value = current;
    }
  }

  async function refresh() {
    try {
      await refreshRoutes();
      if (!select.value) { placeholder('No routes configured.'); return; }
      const data = /** @type {FieldsResponse} */ (await api(`/api/routes/${encodeURIComponent(select.value)}/fields`));
      note.textContent = data.calibration === 'off'
        ? 'Calibration is off for this route: set routes[].calibration to compare each field with legacy\u2019s and the agent\u2019s own noise.'
        : 'Each field: how often it differs legacy vs agent, legacy vs legacy and agent vs agent, over the calibration window.';
      if (data.fields.length === 0) { placeholder(data.calibration === 'off' ? 'No calibration data.' : 'No differing fields in the window.'); return; }
      body.replaceChildren(...data.fields.map(row));
    } catch (err) {
      placeholder(`Fields unavailable: ${/** @type {Error} */ (err).message}`);
    }
  }

  /** @param {Field} f */
  function row(f) {
    const rule = ruleFor(f);
    const cell = h('td', { class: 'actions-col' });
    if (rule !== null) {
      const button = h('button', { type: 'button', class: 'small ghost', title: rule, 'data-rule': rule }, 'Copy rule');
      button.addEventListener('click', async () => {
        button.textContent = (await copy(rule)) ? 'Copied' : 'Copy failed';
        setTimeout(() => { button.textContent = 'Copy rule'; }, 1500);
      });
      cell.append(button);
    }
    const rate = (/** @type {Rate} */ r) => {
      const td = h('td', { class: 'num' }, rateText(r));
      td.style.whiteSpace = 'nowrap'; // CSSOM: the CSP refuses style attributes
      return td;
    };
    return h('tr', { 'data-pointer': f.pointer },
      h('td', {}, h('code', {}, f.pointer)), rate(f.raw), rate(f.legacyNoise), rate(f.agentNoise),
      h('td', {}, h('span', { class: `badge badge-${VERDICT_BADGE[f.verdict] ?? 'mode-shadow'}` }, f.verdict)),
      h('td', {}, f.suggestion), cell);
  }

  select.addEventListener('change', () => { void refresh(); });
  placeholder('Loading…');
  void refresh();
  setInterval(() => { void refresh(); }, POLL_MS);
  // A token entered in the page's form is picked up at once.
  document.getElementById('token-form')?.addEventListener('submit', () => { setTimeout(() => { void refresh(); }, 0); });
}

if (typeof document !== 'undefined') mount();
