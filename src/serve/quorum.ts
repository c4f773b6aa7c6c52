// Quorum serving (serve.quorum): the listed candidates are asked in parallel within
// serve.timeoutMs, their answers grouped with the route's comparator as they arrive, and the
// first answer that at least minAgree candidates agree on and that passes the gates is served;
// the candidates still running are then cancelled. Without such an answer legacy serves
// (fallback no_quorum, or the gate's reason when the agreed answer failed the gates). The
// calls beyond the first take shadow slots and charge their bodies to the shared budget, so a
// quorum costs what that many shadows cost and no more.
import type { CompareFn } from '../compare/types.js';
import type { Cancellable, UpstreamResponse, UpstreamResult } from '../proxy/upstream-client.js';
import type { Candidate, RouteRuntime } from '../routing/runtime.js';
import type { ByteBudget } from '../shadow/capture.js';
import { comparable } from '../shadow/decode.js';
import type { GateFn } from './gates.js';

export interface QuorumRequest {
  method: string;
  path: string;
  body: Buffer;
  /** Headers for one candidate (its own Host). */
  headers: (candidate: Candidate) => Record<string, string | string[]>;
  deadline: number;
  maxResponseBytes: number;
  /** Bodies past this size are not grouped (decoded bodies, like comparisons). */
  maxDecodedBytes: number;
}

export interface QuorumSlots {
  readonly budget: ByteBudget;
  reserve(n: number): boolean;
  unreserve(n: number): void;
}

export interface QuorumCall { candidate: Candidate; result: UpstreamResult | null }

export interface QuorumOutcome {
  /** The answer served, or null (legacy serves, for `reason`). */
  answer: UpstreamResponse | null;
  candidate: Candidate | null;
  reason: string;
  /** Names of the candidates whose answers agreed with the one served. */
  agreeing: string[];
  calls: QuorumCall[];
  /** Gives the budgeted bytes back: call once the answer is written. */
  release(): void;
}

/** One group of agreeing answers; the first member is the one the others were compared with. */
interface Group { members: { call: QuorumCall; answer: UpstreamResponse }[]; reference: ReturnType<typeof comparable> & object }

export async function runQuorum(
  route: RouteRuntime, quorum: NonNullable<RouteRuntime['quorum']>, request: QuorumRequest, slots: QuorumSlots,
  gates: GateFn, compare: CompareFn, cancellable: Cancellable,
): Promise<QuorumOutcome> {
  const extra = quorum.candidates.length - 1;
  const calls: QuorumCall[] = quorum.candidates.map((candidate) => ({ candidate, result: null }));
  const none = (reason: string): QuorumOutcome => ({ answer: null, candidate: null, reason, agreeing: [], calls, release: () => {} });
  if (!slots.reserve(extra)) return none('backpressure');
  const remaining = Math.floor(request.deadline - performance.now());
  if (remaining <= 0) { slots.unreserve(extra); return none('timeout'); }

  const handles: Cancellable[] = calls.map(() => ({ cancel: undefined }));
  const cancelAll = () => { for (const h of handles) { h.cancelled = true; h.cancel?.(); } };
  const previous = cancellable.cancel;
  cancellable.cancel = () => { previous?.(); cancelAll(); };
  const charged: number[] = calls.map(() => 0);
  const groups: Group[] = [];
  let decided: { group: Group; member: Group['members'][number] } | null = null;
  let gateReason: string | null = null;
  let chain: Promise<void> = Promise.resolve();

  const consider = async (call: QuorumCall): Promise<void> => {
    const r = call.result;
    if (decided || r === null || !r.ok || r.truncated || r.status < 100 || r.status > 599) return;
    const reference = comparable(r.status, r.headers, r.body, request.maxDecodedBytes);
    if (reference === null) return;
    let group: Group | undefined;
    for (const g of groups) {
      const outcome = await Promise.resolve()
        .then(() => compare(g.reference, reference, { route: route.name, method: request.method, path: request.path }))
        .catch(() => null); // a comparator that throws groups nothing
      if (outcome?.result === 'match') { group = g; break; }
    }
    if (group) group.members.push({ call, answer: r });
    else groups.push((group = { members: [{ call, answer: r }], reference }));
    if (group.members.length < quorum.minAgree) return;
    // The agreed answer must pass the gates like any served answer; members in list order.
    for (const member of [...group.members].sort((a, b) => calls.indexOf(a.call) - calls.indexOf(b.call))) {
      const verdict = await gates(member.answer, { route: route.name, method: request.method, path: request.path });
      if (verdict.pass) { decided = { group, member }; cancelAll(); return; }
      gateReason = verdict.reason;
    }
  };

  await Promise.all(calls.map((call, i) => {
    const budget = i === 0 ? undefined : slots.budget; // the first call is the serve call itself (admission bounds it)
    return call.candidate.client.request({
      method: request.method, path: request.path, headers: request.headers(call.candidate), body: request.body,
      timeoutMs: remaining, maxResponseBytes: request.maxResponseBytes, budget, cancellable: handles[i],
    }).then((result) => {
      call.result = result;
      if (budget && result.ok) charged[i] = result.body.length;
      chain = chain.then(() => consider(call));
      return chain;
    });
  }));
  await chain;
  slots.unreserve(extra);
  cancellable.cancel = previous;
  const release = () => { for (let i = 0; i < charged.length; i++) { slots.budget.release(charged[i]!); charged[i] = 0; } };
  const d = decided as { group: Group; member: Group['members'][number] } | null;
  if (d === null) { release(); return { ...none(gateReason ?? 'no_quorum'), calls }; }
  return {
    answer: d.member.answer, candidate: d.member.call.candidate, reason: '',
    agreeing: d.group.members.map((m) => m.call.candidate.name), calls, release,
  };
}
