/**
 * Loading what a screen shows: one hook instead of the same `useState` +
 * `useEffect` + sequence counter written out on every screen.
 *
 * ```tsx
 * const toast = useToast();
 * const staff = useLoad(() => call(commands.listStaff(lab)), [lab], { onError: toast.error });
 * // staff.data, staff.error, staff.loading, staff.reload()
 * ```
 *
 * The rules it keeps, so screens need not:
 * - the latest load wins: an answer to an earlier load (an earlier
 *   dependency, an earlier `reload()`) that arrives late is dropped;
 * - nothing is set after the component is gone;
 * - the value belongs to its dependencies: when they change, `data` is
 *   `null` from that very render until their own answer arrives (never the
 *   previous lab's list under the new lab's heading);
 * - `reload()` keeps the value on screen until the new one arrives, and a
 *   failed reload keeps it too (with `error` set): what is shown was true a
 *   moment ago, a blank would not be.
 */
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";

/** What `useLoad` returns. */
export interface Load<T> {
  /**
   * The latest value for the current dependencies; `null` until the first
   * answer (so a load that answers `null` reads as "nothing yet": fine for
   * `?? []`, not for `Loaded`).
   */
  data: T | null;
  /** What the latest load threw, or `null` (cleared when a load succeeds). */
  error: unknown;
  /** A load is running (the first one, or a `reload()`). */
  loading: boolean;
  /**
   * Loads again with the same dependencies; settles when that load has
   * (never rejects: a failure lands in `error`).
   */
  reload: () => Promise<void>;
  /**
   * Replaces the value on screen, e.g. with what a save returned. It is the
   * newest value: a load still running is dropped when it answers.
   */
  setData: (update: T | null | ((current: T | null) => T | null)) => void;
}

export interface LoadOptions {
  /** Told of every failure that is not stale (typically `toast.error`). */
  onError?: (err: unknown) => void;
}

interface State<T> {
  /** Which dependencies this state belongs to (see `generation`). */
  generation: number;
  data: T | null;
  error: unknown;
  loading: boolean;
}

function sameDeps(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((x, i) => Object.is(x, b[i]));
}

/**
 * Runs `load` when the component appears and again whenever `deps` change
 * (compared like `useEffect`'s); see the module doc for the rules.
 * `load` and `options` are read when a load starts, so they may be new
 * functions on every render.
 */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[], options: LoadOptions = {}): Load<T> {
  // The generation counts changes of `deps`, found while rendering so that
  // the render that shows new dependencies already hides the old value.
  const seen = useRef<{ deps: readonly unknown[]; generation: number }>({ deps, generation: 0 });
  if (!sameDeps(seen.current.deps, deps)) seen.current = { deps, generation: seen.current.generation + 1 };
  const generation = seen.current.generation;

  const [state, setState] = useState<State<T>>({ generation, data: null, error: null, loading: true });
  // Every load takes a number; only the latest may write (`setData` takes one too).
  const latest = useRef(0);
  const alive = useRef(true);
  const current = useRef({ load, options, generation });
  current.current = { load, options, generation };

  const run = useCallback(async (): Promise<void> => {
    const mine = ++latest.current;
    const { load: fn, generation: gen } = current.current;
    // Stale: a newer load started, the dependencies changed (seen as soon as
    // a render shows them, before any effect), or the component is gone.
    const stale = () => mine !== latest.current || gen !== current.current.generation || !alive.current;
    setState((s) =>
      s.generation === gen ? { ...s, loading: true } : { generation: gen, data: null, error: null, loading: true },
    );
    try {
      const data = await fn();
      if (stale()) return;
      setState({ generation: gen, data, error: null, loading: false });
    } catch (err) {
      if (stale()) return;
      setState((s) => ({
        generation: gen,
        data: s.generation === gen ? s.data : null,
        error: err,
        loading: false,
      }));
      current.current.options.onError?.(err);
    }
  }, []);

  useEffect(() => {
    void run();
  }, [generation, run]);

  // A layout effect: Preact runs passive cleanups after the next paint, and
  // an answer arriving in between must already find the component gone.
  useLayoutEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);

  const setData = useCallback((update: T | null | ((current: T | null) => T | null)) => {
    latest.current++;
    const gen = current.current.generation;
    setState((s) => {
      const before = s.generation === gen ? s.data : null;
      const data = typeof update === "function" ? (update as (c: T | null) => T | null)(before) : update;
      return { generation: gen, data, error: null, loading: false };
    });
  }, []);

  if (state.generation !== generation) return { data: null, error: null, loading: true, reload: run, setData };
  return { data: state.data, error: state.error, loading: state.loading, reload: run, setData };
}
