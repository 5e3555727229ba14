/**
 * The ledger of what a create has made, so that a create is all or nothing: each object is recorded as it is made,
 * and a failed create rolls back, newest first. It also holds what the watch cache must see of those writes
 * (read-your-writes).
 */
import type { Expectation } from './cluster-cache.js';
import { isStatus } from './kube-errors.js';
import { WRITTEN, type WrittenKind } from './resources.js';

/** An object of a kind a create makes. */
export interface WrittenObject {
  readonly kind: WrittenKind;
  readonly name: string;
}

/** What the cache must show of a write the API answered with `object`: its resourceVersion (none: nothing). */
export function writtenExpectation(kind: WrittenKind, object: unknown): Expectation[] {
  const meta = (object as { metadata?: { resourceVersion?: unknown } } | undefined)?.metadata;
  const resourceVersion = meta?.resourceVersion;
  return typeof resourceVersion === 'string' && resourceVersion !== ''
    ? [{ kind: WRITTEN[kind].plural, resourceVersion }]
    : [];
}

/** What the cache must show of deleted objects: that they are gone. */
export function goneExpectations(objects: readonly WrittenObject[]): Expectation[] {
  return objects.map((object) => ({ kind: WRITTEN[object.kind].plural, gone: object.name }));
}

export class CreatedObjects {
  private readonly objects: WrittenObject[] = [];
  private readonly writes: Expectation[] = [];

  /**
   * `remove` deletes one object; `cache` is told what a roll-back removed (it does not answer before it shows it,
   * but the roll-back does not wait for it).
   */
  constructor(
    private readonly remove: (object: WrittenObject) => Promise<unknown>,
    private readonly cache: {
      seen(expectations: readonly Expectation[], block: boolean): Promise<void>;
    },
  ) {}

  /**
   * An object was made: `answer` is what the API answered. Without one (a create that timed out, whose outcome is
   * unknown), the object may exist: it is rolled back all the same.
   */
  record(kind: WrittenKind, name: string, answer?: unknown): void {
    this.objects.push({ kind, name });
    if (answer !== undefined) this.writes.push(...writtenExpectation(kind, answer));
  }

  /** The object is no longer this create's to remove (another server's delete is removing it). */
  forget(kind: WrittenKind, name: string): void {
    const index = this.objects.findIndex((object) => object.kind === kind && object.name === name);
    if (index >= 0) this.objects.splice(index, 1);
  }

  /** What the cache must show before it answers again after a create that succeeded. */
  get written(): readonly Expectation[] {
    return this.writes;
  }

  /**
   * Removes every recorded object, newest first; one already gone (404) counts as removed. Returns what could not
   * be removed, as `<Kind> <name>`.
   */
  async rollBack(): Promise<string[]> {
    const failures: string[] = [];
    for (const object of [...this.objects].reverse()) {
      try {
        await this.remove(object);
      } catch (error) {
        if (!isStatus(error, 404)) failures.push(`${object.kind} ${object.name}`);
      }
    }
    void this.cache.seen(goneExpectations(this.objects), false);
    return failures;
  }
}
