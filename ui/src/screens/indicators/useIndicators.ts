import { useEffect, useRef, useState } from "preact/hooks";
import { appErrorOf, call } from "../../api/call";
import { commands, type Indicators } from "../../bindings";
import { selectionProblem, toSelection, type SelectionValue } from "../../components/SelectionPicker";
import { useToast } from "../../components/Toast";

/** Pause after a change of the selection before asking (dates typed digit by digit). */
export const QUERY_DELAY_MS = 150;

/**
 * The indicators of a selection, recomputed when it changes; the latest
 * answer wins (an older one arriving late is dropped). `null` while the
 * selection is not valid or before the first answer.
 */
export function useIndicators(value: SelectionValue): { data: Indicators | null; loading: boolean } {
  const toast = useToast();
  const [data, setData] = useState<Indicators | null>(null);
  const [loading, setLoading] = useState(false);
  const seq = useRef(0);
  const key = JSON.stringify(value);
  useEffect(() => {
    const mine = ++seq.current;
    if (selectionProblem(value)) {
      setLoading(false);
      return undefined;
    }
    setLoading(true);
    const timer = setTimeout(() => {
      call(commands.indicators(toSelection(value))).then(
        (d) => {
          if (mine !== seq.current) return;
          setData(d);
          setLoading(false);
        },
        (err: unknown) => {
          if (mine !== seq.current) return;
          setLoading(false);
          toast.error(appErrorOf(err) ?? err);
        },
      );
    }, QUERY_DELAY_MS);
    return () => clearTimeout(timer);
  }, [key]);
  return { data, loading };
}

