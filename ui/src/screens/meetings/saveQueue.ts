/**
 * Saving as you type, one command at a time.
 *
 * Each change is a job under a key (`theme`, `time`, `presence:<member>`…).
 * Only one job runs at a time, in the order the keys were first queued;
 * while one runs, a newer job for a key still waiting replaces the older
 * (only the latest value of a field is sent). A job may wait a little
 * (`delayMs`) so a burst of keystrokes becomes one save; `flush()` sends
 * everything now.
 *
 * The state is `saving` while anything is queued or running, `error` while
 * some key's last attempt failed (or the screen marked it invalid), else
 * `saved`. Queues with work left are known to `flushAllSaves()`, which the
 * shell awaits before locking the register.
 */

export type SaveState = "saving" | "saved" | "error";

export interface SaveSnapshot {
  state: SaveState;
  /** The last failure of each key not superseded by a success, in the order they happened. */
  errors: ReadonlyMap<string, unknown>;
}

type Job = () => Promise<unknown>;

/** Queues with unfinished work: what locking must wait for. */
const busyQueues = new Set<SaveQueue>();

/** Sends every queued change of every queue now; resolves when all are done (or after `timeoutMs`). */
export function flushAllSaves(timeoutMs = 5000): Promise<void> {
  if (busyQueues.size === 0) return Promise.resolve();
  const all = Promise.all([...busyQueues].map((q) => q.flush())).then(() => undefined);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  return Promise.race([all, timeout]).finally(() => clearTimeout(timer));
}

export class SaveQueue {
  /** Ready to run, in order. */
  private ready = new Map<string, Job>();
  /** Waiting for their delay to pass. */
  private delayed = new Map<string, { job: Job; timer: ReturnType<typeof setTimeout> }>();
  private running: string | null = null;
  private errors = new Map<string, unknown>();
  /** Bumped by every new value or mark of a key: a job that ends after a newer one was given does not touch its error. */
  private generation = new Map<string, number>();
  private listeners = new Set<(s: SaveSnapshot) => void>();
  private idleWaiters: Array<() => void> = [];
  private last: SaveSnapshot = { state: "saved", errors: new Map() };

  /** Queues `job` under `key`, replacing a job of the same key that has not started. */
  enqueue(key: string, job: Job, delayMs = 0): void {
    this.bump(key);
    this.cancelDelay(key);
    if (delayMs > 0) {
      this.ready.delete(key);
      const timer = setTimeout(() => {
        this.delayed.delete(key);
        this.ready.set(key, job);
        this.pump();
      }, delayMs);
      this.delayed.set(key, { job, timer });
      this.changed();
      return;
    }
    this.ready.set(key, job);
    this.pump();
  }

  /** Records a value the screen refused to send (e.g. the end before the start). */
  markInvalid(key: string, reason: unknown): void {
    this.bump(key);
    this.cancelDelay(key);
    this.ready.delete(key);
    this.errors.delete(key);
    this.errors.set(key, reason);
    this.changed();
  }

  /** Forgets the error of `key` (its value is valid again, or no longer matters). */
  clearError(key: string): void {
    this.bump(key);
    if (this.errors.delete(key)) this.changed();
  }

  /** Sends what is waiting now; resolves once nothing is queued or running. */
  flush(): Promise<void> {
    for (const [key, { job, timer }] of this.delayed) {
      clearTimeout(timer);
      this.ready.set(key, job);
    }
    this.delayed.clear();
    const done = new Promise<void>((resolve) => {
      if (this.isIdle()) resolve();
      else this.idleWaiters.push(resolve);
    });
    this.pump();
    return done;
  }

  snapshot(): SaveSnapshot {
    return this.last;
  }

  /** Calls `listener` on every change; returns the unsubscribe function. */
  subscribe(listener: (s: SaveSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private isIdle(): boolean {
    return this.running === null && this.ready.size === 0 && this.delayed.size === 0;
  }

  private bump(key: string): void {
    this.generation.set(key, (this.generation.get(key) ?? 0) + 1);
  }

  private cancelDelay(key: string): void {
    const waiting = this.delayed.get(key);
    if (waiting) {
      clearTimeout(waiting.timer);
      this.delayed.delete(key);
    }
  }

  private pump(): void {
    if (this.running !== null) return;
    const next = this.ready.entries().next();
    if (next.done) {
      this.changed();
      return;
    }
    const [key, job] = next.value;
    this.ready.delete(key);
    this.running = key;
    const generation = this.generation.get(key);
    const current = () => this.generation.get(key) === generation;
    this.changed();
    let outcome: Promise<unknown>;
    try {
      outcome = job();
    } catch (err) {
      outcome = Promise.reject(err);
    }
    outcome.then(
      () => {
        if (current()) this.errors.delete(key);
        this.finish();
      },
      (err: unknown) => {
        if (current()) {
          this.errors.delete(key);
          this.errors.set(key, err);
        }
        this.finish();
      },
    );
  }

  private finish(): void {
    this.running = null;
    this.pump();
  }

  private changed(): void {
    const idle = this.isIdle();
    if (idle) busyQueues.delete(this);
    else busyQueues.add(this);
    const state: SaveState = !idle ? "saving" : this.errors.size > 0 ? "error" : "saved";
    this.last = { state, errors: new Map(this.errors) };
    for (const listener of this.listeners) listener(this.last);
    if (idle && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}
