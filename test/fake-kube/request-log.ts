/** The fake's record of the requests it received, and the faults tests inject into the next matching ones. */
import { HttpError } from './kube-object.js';

export type Verb =
  'list' | 'watch' | 'get' | 'create' | 'update' | 'patch' | 'delete' | 'log' | 'proxy' | 'discovery';

export interface RequestRecord {
  readonly verb: Verb;
  readonly resource: string;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly labelSelector: string | undefined;
}

export interface Fault {
  readonly verb: Verb;
  readonly resource?: string | undefined;
  /** Fail the nth matching request from now on (1 = the next one). */
  readonly nth?: number | undefined;
  readonly status?: number | undefined;
  readonly message?: string | undefined;
  /** Instead of failing, answer the request (normally) this many milliseconds late. */
  readonly delayMs?: number | undefined;
}

export class RequestLog {
  readonly records: RequestRecord[] = [];
  private readonly faults: { fault: Fault; remaining: number }[] = [];
  private pendingDelay = 0;

  inject(fault: Fault): void {
    this.faults.push({ fault, remaining: fault.nth ?? 1 });
  }

  /** Records a request; throws the fault it is due, or sets the delay its answer is due (`takeDelay`). */
  record(record: RequestRecord): void {
    this.records.push(record);
    for (const entry of this.faults) {
      const { fault } = entry;
      if (entry.remaining <= 0 || fault.verb !== record.verb) continue;
      if (fault.resource !== undefined && fault.resource !== record.resource) continue;
      entry.remaining -= 1;
      if (entry.remaining === 0 && fault.delayMs !== undefined) {
        this.pendingDelay = fault.delayMs;
      } else if (entry.remaining === 0) {
        const status = fault.status ?? 500;
        throw new HttpError(
          status,
          status === 500 ? 'InternalError' : 'Injected',
          fault.message ?? `injected failure of ${record.verb} ${record.resource}`,
        );
      }
    }
  }

  /** The delay the request just routed is due, once (read synchronously after routing it). */
  takeDelay(): number {
    const delay = this.pendingDelay;
    this.pendingDelay = 0;
    return delay;
  }
}
