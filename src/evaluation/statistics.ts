// evaluation/ owns the statistics behind shadowgate's verdicts: intervals and tests (this
// file), noise calibration per field, promotion readiness and the guardrail's trip rule.
// Everything here is pure and deterministic: plain numbers in, plain numbers out.

/**
 * Φ⁻¹(p), the standard normal quantile, by Wichura's algorithm AS 241 (PPND16): relative error
 * about 1e-16 over (0, 1). Returns -Infinity at 0 and Infinity at 1; NaN outside [0, 1].
 */
export function normalQuantile(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return Number.NaN;
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return q * poly(A, r) / poly(B, r);
  }
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  let value: number;
  if (r <= 5) {
    r -= 1.6;
    value = poly(C, r) / poly(D, r);
  } else {
    r -= 5;
    value = poly(E, r) / poly(F, r);
  }
  return q < 0 ? -value : value;
}

// Coefficients of AS 241, lowest order first (the denominators' constant term is 1).
const A = [3.387132872796366608, 133.14166789178437745, 1971.5909503065514427, 13731.693765509461125,
  45921.953931549871457, 67265.770927008700853, 33430.575583588128105, 2509.0809287301226727];
const B = [1, 42.313330701600911252, 687.1870074920579083, 5394.1960214247511077,
  21213.794301586595867, 39307.89580009271061, 28729.085735721942674, 5226.495278852854561];
const C = [1.42343711074968357734, 4.6303378461565452959, 5.7694972214606914055, 3.64784832476320460504,
  1.27045825245236838258, 0.24178072517745061177, 0.0227238449892691845833, 7.7454501427834140764e-4];
const D = [1, 2.05319162663775882187, 1.6763848301838038494, 0.68976733498510000455,
  0.14810397642748007459, 0.0151986665636164571966, 5.475938084995344946e-4, 1.05075007164441684324e-9];
const E = [6.6579046435011037772, 5.4637849111641143699, 1.7848265399172913358, 0.29656057182850489123,
  0.026532189526576123093, 0.0012426609473880784386, 2.71155556874348757815e-5, 2.01033439929228813265e-7];
const F = [1, 0.59983220655588793769, 0.13692988092273580531, 0.0148753612908506148525,
  7.868691311456132591e-4, 1.8463183175100546818e-5, 1.4215117583164458887e-7, 2.04426310338993978564e-15];

function poly(coefficients: readonly number[], x: number): number {
  let sum = 0;
  for (let i = coefficients.length - 1; i >= 0; i--) sum = sum * x + coefficients[i]!;
  return sum;
}

/**
 * Φ(x), the standard normal CDF, by Hart's algorithm 5666 as given by West (2005): absolute
 * error below 1e-14, and the lower tail keeps its relative precision far out (no 1 − x loss).
 */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const ax = Math.abs(x);
  let tail: number;
  if (ax > 37) {
    tail = 0;
  } else {
    const e = Math.exp(-ax * ax / 2);
    if (ax < 7.07106781186547) {
      tail = e * poly(HART_NUM, ax) / poly(HART_DEN, ax);
    } else {
      let cf = ax + 0.65;
      cf = ax + 4 / cf;
      cf = ax + 3 / cf;
      cf = ax + 2 / cf;
      cf = ax + 1 / cf;
      tail = e / cf / 2.506628274631;
    }
  }
  return x > 0 ? 1 - tail : tail;
}

// Hart 5666's rational approximation, lowest order first.
const HART_NUM = [220.206867912376, 221.213596169931, 112.079291497871, 33.912866078383, 6.37396220353165,
  0.700383064443688, 3.52624965998911e-2];
const HART_DEN = [440.413735824752, 793.826512519948, 637.333633378831, 296.564248779674, 86.7807322029461,
  16.064177579207, 1.75566716318264, 8.83883476483184e-2];

/** z for a two-sided interval at `confidence`: Φ⁻¹(1 − (1 − confidence)/2); 1.95996… at 0.95. */
export function zForConfidence(confidence: number): number {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  return normalQuantile(1 - (1 - confidence) / 2);
}

export interface ProportionInterval {
  /** successes / n; null when n is 0. */
  observed: number | null;
  lower: number;
  upper: number;
  n: number;
}

/**
 * Two-sided Wilson score interval for `successes` out of `n` at `confidence`, without
 * continuity correction. With n = 0 nothing is known: [0, 1].
 */
export function wilsonInterval(successes: number, n: number, confidence: number): ProportionInterval {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be an integer >= 0, got ${n}`);
  if (!Number.isInteger(successes) || successes < 0 || successes > n) throw new RangeError(`successes must be an integer in [0, ${n}], got ${successes}`);
  const z = zForConfidence(confidence);
  if (n === 0) return { observed: null, lower: 0, upper: 1, n };
  const z2 = z * z;
  const centre = (successes + z2 / 2) / (n + z2);
  const half = (z / (n + z2)) * Math.sqrt((successes * (n - successes)) / n + z2 / 4);
  // At 0 and n the bound is exactly 0 (or 1); rounding would otherwise leave 1e-17.
  const lower = successes === 0 ? 0 : Math.max(0, centre - half);
  const upper = successes === n ? 1 : Math.min(1, centre + half);
  return { observed: successes / n, lower, upper, n };
}

export interface ProportionTest {
  /** Pooled-variance z statistic of p1 − p2; 0 when it is undefined (no variance, or an empty side). */
  z: number;
  /** One-sided p-value for H1: p1 > p2. */
  pValue: number;
  /** pValue < alpha. */
  significant: boolean;
}

/**
 * One-sided two-proportion z-test (pooled variance) of H1: x1/n1 > x2/n2 at `alpha`. Without
 * variance (both rates 0, both 1) or with an empty side there is no evidence: z = 0, p = 0.5.
 */
export function twoProportionTest(x1: number, n1: number, x2: number, n2: number, alpha: number): ProportionTest {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  if (n1 === 0 || n2 === 0) return { z: 0, pValue: 0.5, significant: false };
  const pooled = (x1 + x2) / (n1 + n2);
  const variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2);
  if (!(variance > 0)) return { z: 0, pValue: 0.5, significant: false };
  const z = (x1 / n1 - x2 / n2) / Math.sqrt(variance);
  const pValue = normalCdf(-z); // the upper tail, computed without 1 − x cancellation
  return { z, pValue, significant: pValue < alpha };
}
