/**
 * Asks each cluster's Spark master, in the background, which workers it has (see worker-registration.ts), so that
 * reads stay free of API requests: a read applies the last answer, it never waits for one.
 *
 * Bounds: a cluster is asked only while its master pod is ready; at once when its master or worker pods change;
 * again every `fastMs` while not every ready worker is registered (or the last ask failed, backing off up to
 * `slowMs`), every `slowMs` once all are. At most `concurrency` asks are in flight, each given up after
 * `timeoutMs`. An answer older than `maxAgeMs` stops counting. A deleted cluster is no longer asked; with
 * `forgetAfterMs` (reads without the watch cache), neither is one that no read has seen for that long.
 */
import type { Clock } from '../../core/clock.js';
import {
  allRegistered,
  registrationFacts,
  type RegistrationFacts,
  type RegistrationTarget,
} from './worker-registration.js';

export interface RegistrationTimings {
  readonly fastMs: number;
  readonly slowMs: number;
  readonly maxAgeMs: number;
  readonly timeoutMs: number;
  readonly concurrency: number;
}

export const DEFAULT_REGISTRATION_TIMINGS: RegistrationTimings = {
  fastMs: 2_000,
  slowMs: 15_000,
  maxAgeMs: 45_000,
  timeoutMs: 5_000,
  concurrency: 4,
};

export interface RegistrationSource {
  /** The master's /json/ of `cluster`, parsed; throws an error whose message says why it could not be read. */
  fetch(cluster: string, signal: AbortSignal): Promise<unknown>;
  /** The facts of `cluster` changed: what was derived from them is out of date. */
  changed(cluster: string): void;
}

interface Entry {
  target: RegistrationTarget;
  facts: RegistrationFacts | undefined;
  /** When the facts were learnt. */
  factsAt: number;
  /** The target signature the last ask started from: a different one means something changed since. */
  asked: string | undefined;
  /** When to ask again if nothing changes. */
  nextAt: number;
  failures: number;
  inFlight: AbortController | undefined;
  /** The last `update`, for `forgetAfterMs`. */
  seenAt: number;
}

function sameFacts(a: RegistrationFacts | undefined, b: RegistrationFacts | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.masterKey !== b.masterKey) return false;
  if ('problem' in a || 'problem' in b) return 'problem' in a && 'problem' in b && a.problem === b.problem;
  return a.aliveHosts.size === b.aliveHosts.size && [...a.aliveHosts].every((host) => b.aliveHosts.has(host));
}

export class RegistrationPoller {
  private readonly entries = new Map<string, Entry>();
  private readonly timings: RegistrationTimings;
  private inFlight = 0;
  /** Cancels the pump's next wake. */
  private cancelWake: (() => void) | undefined;
  private wakeAt = Infinity;
  private stopped = false;

  constructor(
    private readonly source: RegistrationSource,
    /** The asks' schedule, their deadline and the age of answers go by it. */
    private readonly clock: Clock,
    timings: Partial<RegistrationTimings> = {},
    private readonly forgetAfterMs?: number,
  ) {
    this.timings = { ...DEFAULT_REGISTRATION_TIMINGS, ...timings };
  }

  /** The last facts about `cluster`, or undefined when there are none (not asked yet, master not ready). */
  facts(cluster: string): RegistrationFacts | undefined {
    return this.entries.get(cluster)?.facts;
  }

  /** The cluster as it is now; undefined when it is gone. Asks its master at once when something changed. */
  update(cluster: string, target: RegistrationTarget | undefined): void {
    if (this.stopped) return;
    const entry = this.entries.get(cluster);
    if (target === undefined) {
      entry?.inFlight?.abort();
      this.entries.delete(cluster);
      return;
    }
    const now = this.clock.now();
    if (entry === undefined) {
      this.entries.set(cluster, {
        target,
        facts: undefined,
        factsAt: 0,
        asked: undefined,
        nextAt: now,
        failures: 0,
        inFlight: undefined,
        seenAt: now,
      });
    } else {
      entry.seenAt = now;
      if (entry.target.signature === target.signature) return;
      entry.target = target;
      // No master to ask: what an earlier master said is of no use (a master that comes back starts empty).
      if (target.masterKey === undefined) this.setFacts(cluster, entry, undefined, now);
    }
    this.wake(now);
  }

  /** Forgets every cluster not in `clusters`: a read of all of them showed the others are gone. */
  retain(clusters: ReadonlySet<string>): void {
    for (const [cluster, entry] of this.entries) {
      if (clusters.has(cluster)) continue;
      entry.inFlight?.abort();
      this.entries.delete(cluster);
    }
  }

  stop(): void {
    this.stopped = true;
    this.cancelWake?.();
    for (const entry of this.entries.values()) entry.inFlight?.abort();
    this.entries.clear();
  }

  private setFacts(cluster: string, entry: Entry, facts: RegistrationFacts | undefined, now: number): void {
    entry.factsAt = now;
    if (sameFacts(entry.facts, facts)) return;
    entry.facts = facts;
    this.source.changed(cluster);
  }

  /** Runs `pump` at `at` (now by default) unless it is due sooner already. */
  private wake(at: number): void {
    if (this.stopped || at >= this.wakeAt) return;
    this.cancelWake?.();
    this.wakeAt = at;
    this.cancelWake = this.clock.after(Math.max(0, at - this.clock.now()), () => {
      this.wakeAt = Infinity;
      this.pump();
    });
  }

  /** Ages facts, forgets clusters no read has seen, starts the asks that are due, and sleeps until the next. */
  private pump(): void {
    const now = this.clock.now();
    const due: [string, Entry][] = [];
    let next = Infinity;
    for (const [cluster, entry] of this.entries) {
      if (this.forgetAfterMs !== undefined && now - entry.seenAt > this.forgetAfterMs) {
        entry.inFlight?.abort();
        this.entries.delete(cluster);
        continue;
      }
      const { facts } = entry;
      if (facts !== undefined && !('problem' in facts)) {
        const expires = entry.factsAt + this.timings.maxAgeMs;
        if (now >= expires) {
          const age = Math.round((now - entry.factsAt) / 1000);
          this.setFacts(
            cluster,
            entry,
            { masterKey: facts.masterKey, problem: `the master was last asked ${String(age)} s ago` },
            entry.factsAt,
          );
        } else next = Math.min(next, expires);
      }
      if (this.forgetAfterMs !== undefined) next = Math.min(next, entry.seenAt + this.forgetAfterMs + 1);
      if (entry.target.masterKey === undefined || entry.inFlight !== undefined) continue;
      const changed = entry.asked !== entry.target.signature;
      if (changed || now >= entry.nextAt) due.push([cluster, entry]);
      else next = Math.min(next, entry.nextAt);
    }
    // Changed clusters first, then the longest waiting.
    due.sort(
      ([, a], [, b]) =>
        Number(a.asked === a.target.signature) - Number(b.asked === b.target.signature) ||
        a.nextAt - b.nextAt,
    );
    for (const [cluster, entry] of due) {
      if (this.inFlight >= this.timings.concurrency) break;
      void this.ask(cluster, entry);
    }
    // Asks left waiting for a free slot start when one ends (`ask` wakes the pump).
    if (next !== Infinity) this.wake(next);
  }

  private async ask(cluster: string, entry: Entry): Promise<void> {
    const target = entry.target;
    const master = target.masterKey;
    if (master === undefined) return;
    const controller = new AbortController();
    entry.inFlight = controller;
    entry.asked = target.signature;
    this.inFlight += 1;
    let facts: RegistrationFacts;
    try {
      const json = await this.source.fetch(
        cluster,
        AbortSignal.any([controller.signal, this.clock.timeout(this.timings.timeoutMs)]),
      );
      facts = registrationFacts(json, master);
    } catch (error) {
      facts = { masterKey: master, problem: error instanceof Error ? error.message : String(error) };
    } finally {
      this.inFlight -= 1;
      entry.inFlight = undefined;
    }
    const now = this.clock.now();
    if (!this.stopped && !controller.signal.aborted && this.entries.get(cluster) === entry) {
      // The master changed while it was asked: the answer is about another master; the change asks again.
      if (entry.target.masterKey === master) {
        const problem = 'problem' in facts;
        entry.failures = problem ? entry.failures + 1 : 0;
        const wait = problem
          ? Math.min(this.timings.fastMs * 2 ** (entry.failures - 1), this.timings.slowMs)
          : allRegistered(entry.target, facts)
            ? this.timings.slowMs
            : this.timings.fastMs;
        entry.nextAt = now + wait;
        this.setFacts(cluster, entry, facts, now);
      }
    }
    this.wake(now);
  }
}
