// @ts-check
// The admin API as the review page reads it: JSDoc types only, no code. Fields the page does
// not read are left out. Where they come from: src/serve/route-view.ts (/api/routes),
// src/store/samples.ts (/api/diffs), src/admin/review.ts (verdicts, accuracy).

/** @typedef {'shadow' | 'conditional' | 'full' | 'probation' | 'demoted' | 'killed'} RouteMode */

/**
 * One route flag (shadow, serve or kill) as the flag source sees it.
 * @typedef {object} FlagView
 * @property {string} name
 * @property {boolean} known        the flag source has the flag
 * @property {boolean} enabled
 * @property {number | null} rolloutPercent   null when the strategy has no percentage (user ids, …)
 * @property {number} effectivePercent   0 when disabled or unknown
 */

/**
 * Counts over the route's recent-results window (samples.window results, skipped excluded).
 * @typedef {object} WindowCounts
 * @property {number} total
 * @property {number} match
 * @property {number} mismatch
 * @property {number} agentError
 * @property {number} legacyError
 * @property {number | null} agreement       match / (match + mismatch)
 * @property {number | null} agentErrorRate  agent_error / (match + mismatch + agent_error)
 */

/**
 * The guardrail's configuration and its own window (guardrail.window comparisons and calls).
 * @typedef {object} GuardrailView
 * @property {number} minAgreement
 * @property {number} maxErrorRate
 * @property {number} minSamples
 * @property {number} window
 * @property {number} coolDownMs
 * @property {number | null} agreement
 * @property {number | null} errorRate
 * @property {number} comparisons
 * @property {number} calls
 * @property {number} [confidence]            of the Wilson bounds the guardrail decides on
 * @property {string | null} [trip]           why the window would demote a serving route now, or null
 * @property {boolean} [passes]               the window shows the agent good: what ends a probation
 * @property {number | null} [agreementLower] Wilson lower bound of agreement over the window
 */

/** @typedef {{ match?: number, mismatch?: number, agent_error?: number, legacy_error?: number, skipped?: number }} LifetimeCounts */

/**
 * The route's compare rules (config `routes[].compare`).
 * @typedef {object} CompareRules
 * @property {boolean} [status]
 * @property {string[]} [headers]
 * @property {string[]} [ignore]
 * @property {number} [numericTolerance]   relative: |a - b| <= t * max(|a|, |b|)
 * @property {string[]} [unorderedArrays]
 * @property {{ trim?: boolean, caseInsensitive?: boolean, collapseWhitespace?: boolean }} [strings]
 * @property {{ mode: 'exact' | 'normalized' | 'similarity', threshold: number }} [text]
 * @property {string} [plugin]
 */

/**
 * One entry of GET /api/routes.
 * @typedef {object} RouteView
 * @property {string} name
 * @property {{ path: string, methods?: string[] }} [match]
 * @property {RouteMode} mode
 * @property {{ shadow?: FlagView, serve?: FlagView, kill?: FlagView }} [flags]
 * @property {number} [servedByAgentShare]
 * @property {{ reason: string | null, since: string | null } | null} [demotion]
 * @property {{ since: string, by: string, why: string } | null} [probation]
 * @property {{ by: string, why: string, at: string } | null} [killed]   the per-pod kill
 * @property {'local' | 'flag' | null} [killedBy]
 * @property {string} [circuit]   closed, half-open or open
 * @property {number | null} [agreement]
 * @property {number | null} [agentErrorRate]
 * @property {WindowCounts} [window]
 * @property {GuardrailView} [guardrail]
 * @property {CompareRules} [compare]
 * @property {LifetimeCounts} [counts]
 */

/**
 * @typedef {object} RouteAccuracy
 * @property {string} route
 * @property {number} judged
 * @property {number | null} adjudicatedAccuracy
 */

/** @typedef {Record<string, string | string[] | undefined>} Headers */

/**
 * @typedef {object} StoredMessage
 * @property {number} [status]
 * @property {Headers} [headers]
 * @property {string} [body]
 * @property {'utf8' | 'base64'} [encoding]
 * @property {boolean} [truncated]
 * @property {number} [durationMs]
 * @property {string} [error]
 */

/**
 * @typedef {object} Difference
 * @property {string} pointer   RFC 6901 pointer; '' the whole body; 'status'; 'header:<name>'
 * @property {string} field     the pointer with array indices as '*'
 * @property {string} kind      changed, type, missing_in_agent, extra_in_agent, status, header, text, unparseable
 * @property {unknown} [legacy]
 * @property {unknown} [agent]
 */

/** @typedef {{ verdict: string, at: string, note?: string }} Verdict */

/**
 * One sample (GET /api/diffs items and GET /api/diffs/:id).
 * @typedef {object} Sample
 * @property {string} id
 * @property {string} route
 * @property {string} at
 * @property {string} result
 * @property {'legacy' | 'agent'} servedBy   who answered the client
 * @property {{ method: string, path: string, headers?: Headers, body?: string, encoding?: 'utf8' | 'base64', truncated?: boolean }} [request]
 * @property {StoredMessage} [legacy]
 * @property {StoredMessage} [agent]
 * @property {Difference[]} [differences]
 * @property {string} [comparator]
 * @property {number} [similarity]
 * @property {Verdict} [verdict]
 * @property {Record<string, unknown>} [trace]
 */

export {};
