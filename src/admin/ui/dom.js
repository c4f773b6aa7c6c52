// @ts-check
// The page's one way to make elements. Strings become text nodes: data from the API is never
// parsed as markup (the page never assigns HTML strings).

/** @typedef {Node | string | number | null | undefined | false} Child */

/**
 * @param {string} tag
 * @param {Record<string, unknown>} [props]   class, on<event> handlers, attributes (true = empty, false/null = absent)
 * @param {...(Child | Child[])} children
 * @returns {HTMLElement}
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = String(value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), /** @type {EventListener} */ (value));
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** The element with this id; throws when the page lacks it (a broken page should say so). */
export function byId(/** @type {string} */ id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing from the page`);
  return el;
}

/** @param {string} id */
export const inputById = (id) => /** @type {HTMLInputElement} */ (byId(id));
/** @param {string} id */
export const selectById = (id) => /** @type {HTMLSelectElement} */ (byId(id));

export const badge = (/** @type {string} */ text, /** @type {string} */ kind, /** @type {string} */ title = '') =>
  h('span', { class: `badge badge-${kind}`, title: title || false }, text);
