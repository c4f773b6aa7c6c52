// A route's three flags (shadow, serve, kill) as the request path asks them, and the rollout
// each is at. Which flags the source defines and their rollouts are read once per flag change
// (and on a slow timer for the gauges), never per request.
import { effectivePercent, ROUTE_FLAG_KINDS, type FlagSource, type RouteFlagKind } from '../flags/index.js';
import type { Metrics } from '../metrics/definitions.js';
import type { RequestContext } from '../routing/context.js';
import type { RouteConfig } from '../config/schema.js';

/** What the flags need of a route (a RouteRuntime or its config). */
export interface FlaggedRoute { readonly name: string; readonly config: RouteConfig }

export type FlagKind = RouteFlagKind;

export interface FlagView { name: string; known: boolean; enabled: boolean; rolloutPercent: number | null; effectivePercent: number }

export class RouteFlags {
  private readonly known = new Set<string>();
  private readonly rollouts = new Map<string, number>();
  private readonly unsubscribe: (() => void) | undefined;
  private readonly unsubscribeStatus: (() => void) | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly listeners: (() => void)[] = [];

  constructor(private readonly source: FlagSource | null, private readonly routes: readonly RouteConfig[], private readonly metrics: Metrics) {
    this.refresh();
    this.unsubscribe = source?.onChange(() => this.refresh());
    // shadowgate_flags_source_up drops the moment a flag file is rejected, not at the next tick.
    this.unsubscribeStatus = source?.onStatusChange(() => this.refresh());
    this.timer = setInterval(() => this.refresh(), 5000);
    this.timer.unref();
  }

  /** Called after every refresh (route modes follow the serve and kill rollouts). */
  onRefresh(listener: () => void): void {
    this.listeners.push(listener);
  }

  private name(route: FlaggedRoute, kind: FlagKind): string {
    return route.config.flags[kind]!;
  }

  refresh(): void {
    this.known.clear();
    for (const config of this.routes) {
      const route: FlaggedRoute = { name: config.name, config };
      for (const kind of ROUTE_FLAG_KINDS) {
        const state = this.source?.state(this.name(route, kind));
        if (state?.known) this.known.add(state.name);
        const rollout = effectivePercent(state, kind, config.shadow.percent);
        this.rollouts.set(`${route.name}\u0000${kind}`, rollout);
        this.metrics.flagRollout.set({ route: route.name, flag: kind }, rollout);
      }
    }
    const status = this.source?.status();
    this.metrics.flagsSourceUp.set(status ? (status.lastError ? 0 : 1) : 1);
    for (const listener of this.listeners) listener();
  }

  /** undefined when the flag source does not define the route's shadow flag (the static percent decides). */
  shadow(route: FlaggedRoute, ctx: RequestContext): boolean | undefined {
    const name = this.name(route, 'shadow');
    return this.known.has(name) ? this.source!.isEnabled(name, ctx) : undefined;
  }

  serve(route: FlaggedRoute, ctx: RequestContext): boolean {
    const name = this.name(route, 'serve');
    return this.known.has(name) && this.source!.isEnabled(name, ctx);
  }

  /** The fleet-wide kill: on for this request ⇒ legacy answers. Undefined flag ⇒ no effect. */
  kill(route: FlaggedRoute, ctx: RequestContext): boolean {
    const name = this.name(route, 'kill');
    return this.known.has(name) && this.source!.isEnabled(name, ctx);
  }

  /** 0 when off or unknown (shadow: the static percentage), the rollout of its single rollout strategy, 100 when on for everyone. */
  rollout(route: FlaggedRoute | string, kind: FlagKind): number {
    return this.rollouts.get(`${typeof route === 'string' ? route : route.name}\u0000${kind}`) ?? 0;
  }

  view(route: FlaggedRoute, kind: FlagKind): FlagView {
    const name = this.name(route, kind);
    const state = this.source?.state(name);
    return { name, known: state?.known ?? false, enabled: state?.enabled ?? false, rolloutPercent: state?.rolloutPercent ?? null, effectivePercent: this.rollout(route, kind) };
  }

  /** Whether the source defines a flag; null while it cannot tell (no source, or Unleash before it answered). */
  knownFlag(): ((name: string) => boolean) | null {
    const source = this.source;
    if (source === null || !source.status().ready || source.kind === 'unleash' && source.status().lastGoodAt === null) return null;
    return (name) => source.state(name).known;
  }

  close(): void {
    clearInterval(this.timer);
    this.unsubscribe?.();
    this.unsubscribeStatus?.();
  }
}
