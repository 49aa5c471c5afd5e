/**
 * The number of open conflicts beside the navigation's entry. It is read
 * when the navigation appears, when the user moves to another section, when
 * a sync ends, and whenever a screen says the conflicts changed (a value
 * chosen): `announceConflictsChanged()`.
 */
import { useEffect, useState } from "preact/hooks";
import { call } from "../../api/call";
import { commands, events } from "../../bindings";

const EVENT = "taccuino:conflicts-changed";

/** Tells the navigation to read the count again. */
export function announceConflictsChanged(): void {
  window.dispatchEvent(new Event(EVENT));
}

/**
 * The count, or `null` while unknown (or when `enabled` is false: the
 * device does not see the section). `refreshKey` reads it again when it
 * changes (the current section). A failure leaves the last count: the
 * number is a hint, the screen says what failed.
 */
export function useConflictCount(enabled: boolean, refreshKey: unknown): number | null {
  const [count, setCount] = useState<number | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const onChange = () => setTick((n) => n + 1);
    window.addEventListener(EVENT, onChange);
    const unlisten = events.syncStatusChanged.listen((e) => {
      if (!e.payload.syncing) onChange();
    });
    return () => {
      window.removeEventListener(EVENT, onChange);
      void unlisten.then((stop) => stop());
    };
  }, []);
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    call(commands.conflictCount()).then(
      (n) => {
        if (live) setCount(n);
      },
      () => {},
    );
    return () => {
      live = false;
    };
  }, [enabled, refreshKey, tick]);
  return enabled ? count : null;
}
