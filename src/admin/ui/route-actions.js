// @ts-check
// Kill, Unkill and Reset: what each does, said before it is done (the confirmation's text,
// pure), and the in-page confirmation itself (a reason, logged; for Reset the force option).
import { byId, inputById } from './dom.js';
import { count, pct } from './format.js';

/**
 * @param {'kill' | 'unkill' | 'reset'} action
 * @param {import('./api-types.js').GuardrailView | undefined} guardrail
 * @returns {{ title: string, body: string, confirm: string, done: string }}
 */
export function actionText(action, guardrail) {
  if (action === 'kill') {
    return { title: 'Kill route', confirm: 'Kill', done: 'killed',
      body: 'The agent stops serving this route on this pod at once; legacy answers everything and shadowing continues. It stays killed until Unkill. (To stop every pod, turn on the route\'s kill flag.)' };
  }
  if (action === 'unkill') {
    return { title: 'Unkill route', confirm: 'Unkill', done: 'unkilled', body: 'Lifts the kill switch on this pod: the serve flag decides again whether the agent may answer.' };
  }
  const until = guardrail ? `${count(guardrail.minSamples)} comparisons agree at ≥ ${pct(guardrail.minAgreement)}` : 'the window passes';
  return { title: 'Reset guardrail', confirm: 'Reset', done: 'guardrail reset',
    body: `Clears the guardrail window and a demotion (the kill switch is not touched). A route the agent serves goes on probation: legacy answers while shadow comparisons refill the window, and the agent serves again once ${until}.` };
}

/**
 * In-page confirmation; resolves { why, force } or null.
 * @returns {Promise<{ why: string, force: boolean } | null>}
 */
export function confirmDialog(/** @type {string} */ title, /** @type {string} */ text, /** @type {string} */ confirmLabel, /** @type {boolean} */ danger, /** @type {boolean} */ offerForce) {
  const dialog = /** @type {HTMLDialogElement} */ (byId('confirm-dialog'));
  const ok = byId('confirm-ok');
  const cancel = byId('confirm-cancel');
  const why = inputById('confirm-why');
  const force = inputById('confirm-force');
  byId('confirm-title').textContent = title;
  byId('confirm-text').textContent = text;
  byId('confirm-force-row').hidden = !offerForce;
  force.checked = false;
  ok.textContent = confirmLabel;
  ok.className = danger ? 'danger' : 'primary';
  why.value = '';
  dialog.showModal();
  cancel.focus(); // a stray Enter must not kill a route
  return new Promise((resolve) => {
    const listeners = new AbortController();
    const done = (/** @type {boolean} */ confirmed) => {
      listeners.abort();
      if (dialog.open) dialog.close();
      resolve(confirmed ? { why: why.value.trim(), force: offerForce && force.checked } : null);
    };
    const opts = { signal: listeners.signal };
    ok.addEventListener('click', () => done(true), opts);
    cancel.addEventListener('click', () => done(false), opts);
    why.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); done(true); } }, opts);
    dialog.addEventListener('cancel', (e) => { e.preventDefault(); done(false); }, opts);
  });
}
