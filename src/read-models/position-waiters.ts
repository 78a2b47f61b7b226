/**
 * Read-your-writes callers waiting for the fold to pass a log position: one
 * list for the in-thread runner and the worker's main-side runner alike.
 */
interface Waiter {
  readonly position: bigint;
  readonly resolve: (reached: boolean) => void;
  readonly timer: NodeJS.Timeout;
}

export class PositionWaiters {
  private waiters: Waiter[] = [];

  /** True once `settle` sees `position` reached; false after `timeoutMs` or on `releaseAll`. */
  wait(position: bigint, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const waiter: Waiter = {
        position,
        resolve,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          resolve(false);
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** Answers `true` to everyone whose position is reached now; the others keep waiting. */
  settle(reached: (position: bigint) => boolean): void {
    if (this.waiters.length === 0) return;
    const waiting: Waiter[] = [];
    for (const waiter of this.waiters) {
      if (!reached(waiter.position)) {
        waiting.push(waiter);
        continue;
      }
      clearTimeout(waiter.timer);
      waiter.resolve(true);
    }
    this.waiters = waiting;
  }

  /** Nothing more will be applied for now: whoever still waits is told whether it is reached. */
  releaseAll(reached: (position: bigint) => boolean): void {
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.resolve(reached(waiter.position));
    }
  }
}
