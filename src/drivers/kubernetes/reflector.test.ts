import { describe, expect, it } from 'vitest';
import type { ObjectList, WatchEnd, WatchEvent, WatchStream } from './json-lister.js';
import { ManualClock } from '../../core/manual-clock.js';
import { Reflector, type ReflectorOptions, type ReflectorSource } from './reflector.js';

interface Obj {
  metadata: { name: string; resourceVersion: string; deletionTimestamp?: string };
  value?: number;
}

function obj(name: string, resourceVersion: string, value?: number): Obj {
  return { metadata: { name, resourceVersion }, ...(value === undefined ? {} : { value }) };
}

/** A watch the test drives: it sends events, ends it cleanly or breaks it. */
class ScriptedWatch implements WatchStream {
  readonly established: Promise<void>;
  readonly ended: Promise<WatchEnd>;
  aborted = false;
  private accept: () => void = () => undefined;
  private refuse: (error: unknown) => void = () => undefined;
  private finish: (end: WatchEnd) => void = () => undefined;

  constructor(
    readonly resourceVersion: string,
    private readonly onEvent: (event: WatchEvent<Obj>) => void,
  ) {
    this.established = new Promise((resolve, reject) => {
      this.accept = resolve;
      this.refuse = reject;
    });
    this.established.catch(() => undefined);
    this.ended = new Promise((resolve) => {
      this.finish = resolve;
    });
  }

  open(): void {
    this.accept();
  }

  fail(error: unknown): void {
    this.refuse(error);
    this.finish({ clean: false, error });
  }

  send(type: WatchEvent<Obj>['type'], object: Obj | Record<string, unknown>): void {
    this.onEvent({ type, object: object as Obj });
  }

  end(end: WatchEnd): void {
    this.finish(end);
  }

  abort(): void {
    this.aborted = true;
    this.finish({ clean: false, error: new Error('aborted') });
  }
}

class ScriptedSource implements ReflectorSource<Obj> {
  readonly watches: ScriptedWatch[] = [];
  lists = 0;
  listAnswers: (ObjectList<Obj> | Error)[] = [];

  list(): Promise<ObjectList<Obj>> {
    this.lists += 1;
    const answer = this.listAnswers.shift() ?? { items: [], metadata: { resourceVersion: '1' } };
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  }

  watch(
    options: { resourceVersion: string },
    onEvent: (event: WatchEvent<Obj>) => void,
  ): Promise<WatchStream> {
    const watch = new ScriptedWatch(options.resourceVersion, onEvent);
    this.watches.push(watch);
    return Promise.resolve(watch);
  }

  get last(): ScriptedWatch {
    const watch = this.watches.at(-1);
    if (watch === undefined) throw new Error('no watch yet');
    return watch;
  }

  /** The reflector's nth watch, once what it does without waiting is done (a backoff needs the clock moved). */
  async watchNumber(n: number): Promise<ScriptedWatch> {
    for (let i = 0; i < 20 && this.watches.length < n; i++) await tick();
    const watch = this.watches[n - 1];
    if (watch === undefined) throw new Error(`watch ${String(n)} was never opened`);
    return watch;
  }
}

/** Lets what is under way go on (promises, the sources' setImmediate): no time passes on the reflector's clock. */
const tick = () => new Promise((resolve) => setImmediate(resolve));

/**
 * A reflector on `source` that records its changes, on a manual clock; retries after 5 ms doubling to 20 ms, and no
 * waits for clean ends or settling.
 */
function reflectorOn(
  source: ReflectorSource<Obj>,
  options: Partial<ReflectorOptions> = {},
  clock = new ManualClock(),
) {
  const changes: [string | undefined, string | undefined][] = [];
  const reflector = new Reflector<Obj>(
    'things',
    source,
    (previous, next) => {
      changes.push([previous?.metadata.resourceVersion, next?.metadata.resourceVersion]);
    },
    { backoffMs: 5, maxBackoffMs: 20, minWatchMs: 0, settleMs: 0, clock, ...options },
  );
  return { reflector, changes, clock };
}

function setup(listAnswers: (ObjectList<Obj> | Error)[] = []) {
  const source = new ScriptedSource();
  source.listAnswers = listAnswers;
  return { source, ...reflectorOn(source) };
}

describe('Reflector', () => {
  it('lists, then follows the watch from the list version; fresh only while the watch is established', async () => {
    const { source, reflector, changes } = setup([
      { items: [obj('a', '5'), obj('b', '6')], metadata: { resourceVersion: '10' } },
    ]);
    reflector.start();
    const watch = await source.watchNumber(1);
    expect(watch.resourceVersion).toBe('10');
    expect(reflector.fresh).toBe(false);
    watch.open();
    await reflector.started;
    expect(reflector.fresh).toBe(true);
    expect([...reflector.values()].map((o) => o.metadata.name)).toEqual(['a', 'b']);

    watch.send('MODIFIED', obj('a', '11', 2));
    watch.send('ADDED', obj('c', '12'));
    watch.send('DELETED', obj('b', '13'));
    watch.send('BOOKMARK', { metadata: { resourceVersion: '14' } });
    expect(reflector.get('a')?.value).toBe(2);
    expect(reflector.get('b')).toBeUndefined();
    expect(reflector.size).toBe(2);
    expect(changes).toEqual([
      [undefined, '5'],
      [undefined, '6'],
      ['5', '11'],
      [undefined, '12'],
      ['6', undefined],
    ]);
    reflector.stop();
    expect(reflector.fresh).toBe(false);
    expect(watch.aborted).toBe(true);
  });

  it('resumes after a clean end from the last version seen (a bookmark too), not answering until it is back', async () => {
    const { source, reflector } = setup();
    reflector.start();
    const first = await source.watchNumber(1);
    first.open();
    await tick();
    first.send('ADDED', obj('a', '20'));
    first.send('BOOKMARK', { metadata: { resourceVersion: '25' } });
    first.end({ clean: true });
    await tick();
    // The API server may be slow to answer the next watch: meanwhile nothing watches, so reads go to the API.
    expect(reflector.fresh).toBe(false);
    const second = await source.watchNumber(2);
    expect(second.resourceVersion).toBe('25');
    expect(source.lists).toBe(1);
    second.open();
    await tick();
    expect(reflector.fresh).toBe(true);
    reflector.stop();
  });

  it('answers only once a (re)established watch has caught up: its first event, or a short silence', async () => {
    const source = new ScriptedSource();
    const { reflector, clock } = reflectorOn(source, { maxBackoffMs: 5, settleMs: 60_000 });
    reflector.start();
    const first = await source.watchNumber(1);
    first.open();
    await tick();
    // Established, but what happened since the list may still be on its way.
    expect(reflector.fresh).toBe(false);
    first.send('BOOKMARK', { metadata: { resourceVersion: '3' } });
    expect(reflector.fresh).toBe(true);
    first.end({ clean: false, error: new Error('cut') });
    await clock.advance(5);
    const second = await source.watchNumber(2);
    second.open();
    await tick();
    expect(reflector.fresh).toBe(false);
    second.send('MODIFIED', obj('a', '4'));
    expect(reflector.fresh).toBe(true);
    reflector.stop();

    const quiet = new ScriptedSource();
    const { reflector: silent, clock: quietClock } = reflectorOn(quiet, { maxBackoffMs: 5, settleMs: 30 });
    silent.start();
    (await quiet.watchNumber(1)).open();
    await tick();
    expect(silent.fresh).toBe(false);
    await quietClock.advance(29);
    expect(silent.fresh).toBe(false);
    await quietClock.advance(1);
    expect(silent.fresh).toBe(true);
    await silent.started;
    silent.stop();
  });

  it('after a broken watch is not fresh until the watch is back, and resumes without listing', async () => {
    const { source, reflector, clock } = setup();
    reflector.start();
    const first = await source.watchNumber(1);
    first.open();
    await tick();
    first.send('ADDED', obj('a', '30'));
    first.end({ clean: false, error: new Error('connection reset') });
    await tick();
    expect(reflector.fresh).toBe(false);
    expect(reflector.problem).toBe('things: connection reset');
    // The watch comes back after the backoff, not before.
    expect(clock.pending()).toEqual([5]);
    expect(source.watches).toHaveLength(1);
    await clock.advance(5);
    const second = await source.watchNumber(2);
    expect(second.resourceVersion).toBe('30');
    second.open();
    await tick();
    expect(reflector.fresh).toBe(true);
    expect(source.lists).toBe(1);
    reflector.stop();
  });

  it('lists again when the watch says its version expired (410), dropping what disappeared meanwhile', async () => {
    const { source, reflector, changes } = setup([
      { items: [obj('a', '1'), obj('b', '2')], metadata: { resourceVersion: '2' } },
      { items: [obj('a', '40')], metadata: { resourceVersion: '41' } },
    ]);
    reflector.start();
    const first = await source.watchNumber(1);
    first.open();
    await tick();
    first.send('ERROR', {
      kind: 'Status',
      code: 410,
      reason: 'Expired',
      message: 'too old resource version',
    });
    expect(reflector.fresh).toBe(false);
    const second = await source.watchNumber(2);
    expect(source.lists).toBe(2);
    expect(second.resourceVersion).toBe('41');
    second.open();
    await tick();
    expect(reflector.fresh).toBe(true);
    expect([...reflector.values()].map((o) => o.metadata.resourceVersion)).toEqual(['40']);
    expect(changes.slice(2)).toEqual([
      ['2', undefined],
      ['1', '40'],
    ]);
    reflector.stop();
  });

  it('also lists again when the watch request itself is answered 410', async () => {
    const { source, reflector, clock } = setup();
    reflector.start();
    (await source.watchNumber(1)).fail(Object.assign(new Error('Gone'), { code: 410 }));
    await clock.advance(5);
    const second = await source.watchNumber(2);
    expect(source.lists).toBe(2);
    second.open();
    await tick();
    expect(reflector.fresh).toBe(true);
    reflector.stop();
  });

  it('retries a failed list with backoff, and `started` resolves after the first failure', async () => {
    const refused = () => new Error('connect ECONNREFUSED');
    const { source, reflector, clock } = setup([refused(), refused(), refused(), refused()]);
    reflector.start();
    await reflector.started;
    expect(reflector.fresh).toBe(false);
    expect(reflector.problem).toBe('things: connect ECONNREFUSED');
    // Each retry waits twice as long as the one before, up to maxBackoffMs; none comes sooner.
    for (const [lists, delay] of [
      [1, 5],
      [2, 10],
      [3, 20],
      [4, 20],
    ] as const) {
      expect(source.lists).toBe(lists);
      expect(clock.pending()).toEqual([delay]);
      await clock.advance(delay - 1);
      expect(source.lists).toBe(lists);
      await clock.advance(1);
    }
    const watch = await source.watchNumber(1);
    expect(source.lists).toBe(5);
    watch.open();
    await tick();
    expect(reflector.fresh).toBe(true);
    reflector.stop();
  });

  it('spreads each backoff by its random source, up to twice the step by default, as client-go does', async () => {
    const draws = [0.5, 0.75, 0];
    const clock = new ManualClock({ random: () => draws.shift() ?? 0 });
    const refused = () => new Error('connect ECONNREFUSED');
    const source = new ScriptedSource();
    source.listAnswers = [refused(), refused(), refused()];
    const { reflector } = reflectorOn(source, { backoffMs: 100, maxBackoffMs: 200 }, clock);
    reflector.start();
    await reflector.started;
    for (const [lists, delay] of [
      [1, 150],
      [2, 350],
      [3, 200],
    ] as const) {
      expect(source.lists).toBe(lists);
      expect(clock.pending()).toEqual([delay]);
      await clock.advance(delay);
    }
    expect(source.lists).toBe(4);
    reflector.stop();
    // With `jitter: 0`, the waits are the steps themselves.
    const exact = new ScriptedSource();
    exact.listAnswers = [refused()];
    const steady = reflectorOn(
      exact,
      { backoffMs: 100, maxBackoffMs: 100, jitter: 0 },
      new ManualClock({ random: () => 0.9 }),
    );
    steady.reflector.start();
    await steady.reflector.started;
    expect(steady.clock.pending()).toEqual([100]);
    steady.reflector.stop();
  });

  it('backs off instead of spinning when a watch ends as soon as it began', async () => {
    const source = new ScriptedSource();
    const { reflector, clock } = reflectorOn(source, {
      backoffMs: 50,
      maxBackoffMs: 50,
      minWatchMs: 10_000,
    });
    reflector.start();
    const first = await source.watchNumber(1);
    first.open();
    await tick();
    await clock.advance(9_999);
    first.end({ clean: true });
    await tick();
    expect(reflector.fresh).toBe(false);
    expect(reflector.problem).toBe('things: the watch ended as soon as it began');
    await clock.advance(49);
    expect(source.watches).toHaveLength(1);
    await clock.advance(1);
    const second = await source.watchNumber(2);
    second.open();
    await tick();
    // A watch that lasted minWatchMs ended by the server's timeout: resumed at once, no backoff.
    await clock.advance(10_000);
    second.end({ clean: true });
    await tick();
    expect(source.watches).toHaveLength(3);
    expect(clock.pending()).toEqual([]);
    reflector.stop();
  });

  it('backs off instead of spinning when every watch from a fresh list answers 410', async () => {
    // A watch cache behind the list (or a proxy) can answer each new watch 410 at once: listing again at once
    // would loop on list and watch as fast as the network allows.
    class ExpiringSource extends ScriptedSource {
      override watch(
        options: { resourceVersion: string },
        onEvent: (event: WatchEvent<Obj>) => void,
      ): Promise<WatchStream> {
        const opened = super.watch(options, onEvent);
        const watch = this.last;
        setImmediate(() => {
          watch.open();
          setImmediate(() => {
            watch.send('ERROR', { kind: 'Status', code: 410, reason: 'Expired' });
          });
        });
        return opened;
      }
    }
    const source = new ExpiringSource();
    const { reflector, clock } = reflectorOn(source, {
      backoffMs: 1000,
      maxBackoffMs: 1000,
      minWatchMs: 10_000,
    });
    reflector.start();
    for (let i = 0; i < 20; i++) await tick();
    expect(source.lists).toBe(1);
    expect(reflector.fresh).toBe(false);
    expect(clock.pending()).toEqual([1000]);
    await clock.advance(999);
    expect(source.lists).toBe(1);
    await clock.advance(1);
    for (let i = 0; i < 20; i++) await tick();
    expect(source.lists).toBe(2);
    expect(clock.pending()).toEqual([1000]);
    reflector.stop();
  });

  it('settles a waiter by a list that started before it but shows a later version of the write', async () => {
    let answer: (list: ObjectList<Obj>) => void = () => undefined;
    const source = new ScriptedSource();
    source.listAnswers = [{ items: [obj('a', '1')], metadata: { resourceVersion: '1' } }];
    const { reflector } = reflectorOn(source);
    reflector.start();
    (await source.watchNumber(1)).open();
    await tick();
    source.list = () => {
      source.lists += 1;
      return new Promise((resolve) => {
        answer = resolve;
      });
    };
    reflector.restart();
    // Our write (version 3) lands while that list is on its way, and a controller changes the object again
    // (version 4) before the API server reads the list: the list shows 4, the watch from 4 never shows 3.
    const waiting = reflector.waitForVersion('3', 300);
    answer({ items: [obj('a', '4')], metadata: { resourceVersion: '4' } });
    const watch = await source.watchNumber(2);
    watch.open();
    expect(await waiting).toBe(true);
    // A bookmark past a write shows it as well: every event up to the bookmark has come.
    const bookmarked = reflector.waitForVersion('6', 300);
    watch.send('BOOKMARK', { metadata: { resourceVersion: '7' } });
    expect(await bookmarked).toBe(true);
    reflector.stop();
  });

  it('tells the error a watch sent as why it is not fresh, not its own abort', async () => {
    const { source, reflector } = setup();
    reflector.start();
    const watch = await source.watchNumber(1);
    watch.open();
    await tick();
    watch.send('ERROR', { kind: 'Status', code: 500, message: 'etcdserver: request timed out' });
    await tick();
    expect(reflector.fresh).toBe(false);
    expect(reflector.problem).toContain('etcdserver: request timed out');
    reflector.stop();
  });

  it('aborts a watch whose request was still being prepared (credentials) when it was stopped', async () => {
    // An exec credential plugin can take a while: the watch request goes out after stop(). Its stream must be
    // aborted at once, not left open until the API server answers (or forever, if it never does).
    const source = new ScriptedSource();
    let release: () => void = () => undefined;
    const prepared = new Promise<void>((resolve) => {
      release = resolve;
    });
    const watch = source.watch.bind(source);
    source.watch = async (options, onEvent) => {
      await prepared;
      return watch(options, onEvent);
    };
    const { reflector } = reflectorOn(source);
    reflector.start();
    for (let i = 0; i < 100 && source.lists < 1; i++) await tick();
    await tick();
    reflector.stop();
    release();
    const stream = await source.watchNumber(1);
    await tick();
    expect(stream.aborted).toBe(true);
  });

  it('retries a list answer that is not a list (a proxy page, a Status) instead of failing outside any catch', async () => {
    const { source, reflector, clock } = setup([
      { kind: 'Status', status: 'Success' } as unknown as ObjectList<Obj>,
      { items: [obj('a', '1')], metadata: { resourceVersion: '1' } },
    ]);
    reflector.start();
    await reflector.started;
    expect(reflector.problem).toMatch(/^things: .*not a list/);
    await clock.advance(5);
    (await source.watchNumber(1)).open();
    await tick();
    expect(reflector.fresh).toBe(true);
    expect(reflector.get('a')?.metadata.resourceVersion).toBe('1');
    reflector.stop();
  }, 2000);

  it('says it is listing again after a restart, not starting', async () => {
    const { source, reflector } = setup();
    reflector.start();
    (await source.watchNumber(1)).open();
    await tick();
    expect(reflector.problem).toBeUndefined();
    reflector.restart();
    expect(reflector.fresh).toBe(false);
    expect(reflector.problem).toBe('things: listing again from scratch');
    reflector.stop();
  });

  it('abandons a list under way when it is stopped, so a hung API server does not hold the process', async () => {
    let signal: AbortSignal | undefined;
    const source: ReflectorSource<Obj> = {
      list: (given) => {
        signal = given;
        return new Promise(() => undefined);
      },
      watch: () => Promise.reject(new Error('never watched')),
    };
    const { reflector } = reflectorOn(source, { maxBackoffMs: 5 });
    reflector.start();
    await tick();
    expect(signal?.aborted).toBe(false);
    reflector.stop();
    expect(signal?.aborted).toBe(true);
    // A read that waited for the first sync is let go.
    await reflector.started;
  });

  it('tells when a written version and a deletion have come through the watch', async () => {
    const { source, reflector, clock } = setup([
      { items: [obj('a', '1')], metadata: { resourceVersion: '1' } },
    ]);
    reflector.start();
    const watch = await source.watchNumber(1);
    watch.open();
    await tick();
    expect(await reflector.waitForVersion('1', 10)).toBe(true);
    const version = reflector.waitForVersion('7', 1000);
    const gone = reflector.waitForGone('a', 1000);
    watch.send('ADDED', obj('b', '7'));
    expect(await version).toBe(true);
    watch.send('MODIFIED', { metadata: { name: 'a', resourceVersion: '8', deletionTimestamp: 'now' } });
    expect(await gone).toBe(true);
    expect(await reflector.waitForGone('never-was', 10)).toBe(true);
    // A version that never comes: false once the timeout has passed, not before.
    let answer: boolean | undefined;
    const never = reflector.waitForVersion('99', 20).then((seen) => (answer = seen));
    await clock.advance(19);
    expect(answer).toBeUndefined();
    await clock.advance(1);
    expect(await never).toBe(false);
    reflector.stop();
  });

  it('settles a waiter by a list that started after it, when the event itself was never seen', async () => {
    const { source, reflector } = setup([
      { items: [], metadata: { resourceVersion: '1' } },
      { items: [obj('a', '50')], metadata: { resourceVersion: '51' } },
    ]);
    reflector.start();
    (await source.watchNumber(1)).open();
    await tick();
    // Version 49 was compacted away: the watch never shows it, but a later list includes its effect.
    const waiting = reflector.waitForVersion('49', 2000);
    reflector.restart();
    expect(await waiting).toBe(true);
    expect(reflector.get('a')?.metadata.resourceVersion).toBe('50');
    reflector.stop();
  });

  it('stopping resolves pending waiters as not seen and aborts the watch', async () => {
    const { source, reflector, clock } = setup();
    reflector.start();
    const watch = await source.watchNumber(1);
    watch.open();
    await tick();
    const waiting = reflector.waitForVersion('5', 5000);
    reflector.stop();
    expect(await waiting).toBe(false);
    expect(watch.aborted).toBe(true);
    // Nothing waits to run any more: no retry, no waiter's timeout.
    expect(clock.pending()).toEqual([]);
    await clock.advance(60_000);
    expect(source.watches).toHaveLength(1);
  });
});
