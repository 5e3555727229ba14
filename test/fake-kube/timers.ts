/** The fake's own delayed work (pods starting, stopping, backing off), all cancelled when the server closes. */
export class Timers {
  private readonly pending = new Set<NodeJS.Timeout>();

  later(work: () => void, delayMs: number): void {
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      work();
    }, delayMs);
    this.pending.add(timer);
  }

  clear(): void {
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
  }
}
