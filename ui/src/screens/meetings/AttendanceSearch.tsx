import { useEffect, useId, useMemo, useRef, useState } from "preact/hooks";
import { call } from "../../api/call";
import { commands, type HouseholdHit, type HouseholdId } from "../../bindings";
import { useToast } from "../../components/Toast";
import { useI18n } from "../../i18n";
import { cx } from "../../lib/cx";
import { latestOnly } from "../../lib/latestOnly";

/**
 * Debounce of the search as you type: short, the search is local and quick
 * (1–2 ms); at most one search is in flight and one waits (`latestOnly`).
 */
export const SEARCH_DELAY_MS = 25;
/** Results shown: enough for a surname shared by a few families. */
export const SEARCH_LIMIT = 8;

export interface AttendanceSearchProps {
  /** Families already in the meeting's list (marked in the results). */
  listed: ReadonlySet<HouseholdId>;
  onPick: (hit: HouseholdHit) => void;
}

/**
 * "Aggiungi una famiglia": a combobox (ARIA 1.2). Typing part of a name or
 * the code searches as you type; ↓/↑ move through the results, Enter adds
 * the highlighted one (the first, until you move), Esc closes the list and
 * then empties the field. Focus stays in the field throughout.
 */
export function AttendanceSearch({ listed, onPick }: AttendanceSearchProps) {
  const { t } = useI18n();
  const toast = useToast();
  const uid = useId();
  const inputId = `attendance-search-${uid}`;
  const listId = `${inputId}-list`;
  const hintId = `${inputId}-hint`;
  const optionId = (i: number) => `${inputId}-opt-${i}`;

  const [query, setQuery] = useState("");
  const [results, setResults] = useState<HouseholdHit[] | null>(null);
  const [active, setActive] = useState(-1);
  const [open, setOpen] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const shown = useRef({ toast });
  shown.current = { toast };
  /** Only the answer to the latest query counts. */
  const searches = useMemo(
    () =>
      latestOnly((q: string) => call(commands.searchFamilies(q, SEARCH_LIMIT)), {
        onAnswer: (_q, hits) => {
          setResults(hits);
          setActive(hits.length > 0 ? 0 : -1);
          setOpen(true);
        },
        onError: (_q, err) => shown.current.toast.error(err),
      }),
    [],
  );

  const cancel = () => {
    if (timer.current !== undefined) clearTimeout(timer.current);
    timer.current = undefined;
  };
  useEffect(
    () => () => {
      cancel();
      searches.cancel();
    },
    [searches],
  );

  const onInput = (event: Event) => {
    const value = (event.currentTarget as HTMLInputElement).value;
    setQuery(value);
    cancel();
    if (value.trim() === "") {
      searches.cancel();
      setResults(null);
      setOpen(false);
      setActive(-1);
      return;
    }
    timer.current = setTimeout(() => {
      timer.current = undefined;
      searches.submit(value.trim());
    }, SEARCH_DELAY_MS);
  };

  const reset = () => {
    cancel();
    searches.cancel();
    setQuery("");
    setResults(null);
    setOpen(false);
    setActive(-1);
  };

  const pick = (hit: HouseholdHit) => {
    reset();
    onPick(hit);
  };

  const list = results ?? [];
  const onKeyDown = (event: KeyboardEvent) => {
    switch (event.key) {
      case "ArrowDown":
        if (list.length === 0) return;
        event.preventDefault();
        setOpen(true);
        setActive((a) => (a + 1) % list.length);
        return;
      case "ArrowUp":
        if (list.length === 0) return;
        event.preventDefault();
        setOpen(true);
        setActive((a) => (a <= 0 ? list.length - 1 : a - 1));
        return;
      case "Enter": {
        const hit = open ? list[active] ?? list[0] : undefined;
        // Enter never submits anything else from here.
        event.preventDefault();
        if (hit) pick(hit);
        return;
      }
      case "Escape":
        if (open) {
          event.preventDefault();
          event.stopPropagation();
          setOpen(false);
        } else if (query !== "") {
          event.preventDefault();
          event.stopPropagation();
          reset();
        }
        return;
      default:
    }
  };

  const expanded = open && list.length > 0;
  const status =
    results === null ? "" : list.length === 0 ? t("meetings.attendance.noResults") : t("counts.results", { n: list.length });

  return (
    <div class="combo">
      <label class="field__label" for={inputId}>
        {t("meetings.attendance.search")}
      </label>
      <p class="field__hint" id={hintId}>
        {t("meetings.attendance.searchHint")}
      </p>
      <input
        id={inputId}
        class="field__input combo__input"
        type="text"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={expanded ? "true" : "false"}
        aria-controls={listId}
        aria-activedescendant={expanded && active >= 0 ? optionId(active) : undefined}
        aria-describedby={hintId}
        autoComplete="off"
        spellcheck={false}
        value={query}
        data-testid="attendance-search"
        onInput={onInput}
        onKeyDown={onKeyDown}
        onBlur={() => setOpen(false)}
        onFocus={() => {
          if (results !== null && query.trim() !== "") setOpen(true);
        }}
      />
      <ul id={listId} class="combo__list" role="listbox" aria-label={t("meetings.attendance.results")} hidden={!expanded}>
        {list.map((hit, i) => (
          <li
            key={hit.id}
            id={optionId(i)}
            role="option"
            aria-selected={i === active ? "true" : "false"}
            class={cx("combo__option", i === active && "is-active")}
            data-testid="attendance-result"
            // Keep focus in the field: the click picks.
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => pick(hit)}
          >
            <span class="combo__code">{hit.code}</span>
            <span class="combo__names">{hit.names}</span>
            {listed.has(hit.merged_into ?? hit.id) && (
              <span class="combo__note">{t("meetings.attendance.alreadyListed")}</span>
            )}
            {hit.merged_into !== null && <span class="combo__note">{t("meetings.attendance.merged")}</span>}
          </li>
        ))}
      </ul>
      {open && results !== null && list.length === 0 && <p class="combo__empty">{status}</p>}
      <p class="visually-hidden" role="status" aria-live="polite">
        {status}
      </p>
    </div>
  );
}
