/**
 * Search as you type without flooding the store: at most one query in
 * flight and one waiting, and only the answer to the newest query shown.
 *
 * A keystroke `submit`s its query. If nothing is in flight it goes at once;
 * otherwise it waits, replacing whatever was waiting before it (a fast
 * typist's "r", "ro", "ros" while one query runs become one query,
 * "ros"). When the query in flight answers, its answer is dropped if a
 * newer one is waiting (it would be replaced within a few milliseconds
 * anyway, and a list that jumps twice is worse than one that jumps once),
 * and the waiting one goes. So the store never holds a queue of searches,
 * whatever the typing speed, and a stale answer can never replace a newer
 * one: only the answer to the last `submit` reaches `onAnswer`.
 *
 * Nothing is cancelled inside the store (an IPC call cannot be recalled;
 * a search takes 1–2 ms there): "cancelling" a query means its answer is
 * ignored.
 */
export interface LatestOnly<Q> {
  /** Asks `query`: now if nothing is in flight, else after the query in flight. */
  submit(query: Q): void;
  /** Forgets the waiting query and ignores the answer in flight (an emptied field, an unmounted screen). */
  cancel(): void;
}

export interface LatestOnlyHandlers<Q, R> {
  /** The answer to the newest query submitted (never to an older one). */
  onAnswer: (query: Q, answer: R) => void;
  /** The newest query failed. */
  onError: (query: Q, error: unknown) => void;
}

export function latestOnly<Q, R>(run: (query: Q) => Promise<R>, handlers: LatestOnlyHandlers<Q, R>): LatestOnly<Q> {
  /** Counts submits and cancels: an answer counts only if nothing happened since its query. */
  let generation = 0;
  let inFlight = false;
  let waiting: { query: Q; generation: number } | null = null;

  const finish = (query: Q, mine: number, outcome: { ok: true; answer: R } | { ok: false; error: unknown }) => {
    inFlight = false;
    if (waiting !== null) {
      const next = waiting;
      waiting = null;
      start(next.query, next.generation);
      return;
    }
    if (mine !== generation) return;
    if (outcome.ok) handlers.onAnswer(query, outcome.answer);
    else handlers.onError(query, outcome.error);
  };

  const start = (query: Q, mine: number) => {
    inFlight = true;
    let promise: Promise<R>;
    try {
      promise = run(query);
    } catch (error) {
      promise = Promise.reject(error);
    }
    promise.then(
      (answer) => finish(query, mine, { ok: true, answer }),
      (error: unknown) => finish(query, mine, { ok: false, error }),
    );
  };

  return {
    submit(query) {
      generation += 1;
      if (inFlight) waiting = { query, generation };
      else start(query, generation);
    },
    cancel() {
      generation += 1;
      waiting = null;
    },
  };
}
