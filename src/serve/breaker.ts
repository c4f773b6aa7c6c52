// Per-route circuit breaker on the agent (cockatiel). Both the serve path and shadow
// calls run through it, so a failing agent stops getting traffic of either kind.
import { CircuitState, ConsecutiveBreaker, circuitBreaker, handleAll, BrokenCircuitError, type CircuitBreakerPolicy } from 'cockatiel';
import type { UpstreamResult } from '../proxy/upstream-client.js';

export type CircuitName = 'closed' | 'half_open' | 'open';
export const CIRCUIT_GAUGE: Record<CircuitName, number> = { closed: 0, half_open: 1, open: 2 };

class AgentFailure extends Error {
  constructor(readonly result: UpstreamResult) { super('agent failure'); }
}

/** Transport errors and 5xx count against the agent; 4xx and gate failures do not. */
export function isAgentFailure(result: UpstreamResult): boolean {
  return !result.ok ? result.kind !== 'aborted' : result.status >= 500;
}

export class AgentBreaker {
  private readonly policy: CircuitBreakerPolicy;
  private openedAt = 0;

  constructor(private readonly options: { consecutiveFailures: number; halfOpenAfterMs: number }, onState: (state: CircuitName) => void) {
    this.policy = circuitBreaker(handleAll, { halfOpenAfter: options.halfOpenAfterMs, breaker: new ConsecutiveBreaker(options.consecutiveFailures) });
    this.policy.onStateChange((s) => {
      if (s === CircuitState.Open) this.openedAt = Date.now();
      onState(this.name());
    });
  }

  name(): CircuitName {
    const s = this.policy.state;
    return s === CircuitState.Closed ? 'closed' : s === CircuitState.HalfOpen ? 'half_open' : 'open';
  }

  /** Open and not yet due for a half-open probe: callers skip the agent entirely. */
  isOpen(now = Date.now()): boolean {
    const s = this.policy.state;
    if (s === CircuitState.Isolated) return true;
    return s === CircuitState.Open && now - this.openedAt < this.options.halfOpenAfterMs;
  }

  /** Runs one agent call; resolves to its result, or to null when the circuit refused it. */
  async run(call: () => Promise<UpstreamResult>): Promise<UpstreamResult | null> {
    try {
      return await this.policy.execute(async () => {
        const result = await call();
        if (isAgentFailure(result)) throw new AgentFailure(result);
        return result;
      });
    } catch (err) {
      if (err instanceof AgentFailure) return err.result;
      if (err instanceof BrokenCircuitError) return null;
      throw err;
    }
  }
}
