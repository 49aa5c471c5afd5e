import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { appErrorOf, call } from "../../api/call";
import { useSession } from "../../app/session";
import { commands, type HouseholdHit, type HouseholdId } from "../../bindings";
import { labName } from "../../components/labels";
import { SearchBox } from "../../components/SearchBox";
import { useToast } from "../../components/Toast";
import { useI18n } from "../../i18n";
import { latestOnly } from "../../lib/latestOnly";

/** How many results a search asks for. */
export const SEARCH_LIMIT = 50;
/**
 * Debounce while typing. Short, so that results come within 50 ms of a
 * keystroke (a search takes 1–2 ms in the store); the store is not flooded
 * because at most one search is in flight and one waits (`latestOnly`).
 */
export const SEARCH_DELAY_MS = 25;

export interface SearchState {
  query: string;
  /** `null` before the first search and for an empty query. */
  hits: HouseholdHit[] | null;
}

export interface FamilySearchProps {
  state: SearchState;
  onState: (state: SearchState) => void;
  onOpen: (id: HouseholdId) => void;
  /** The result to give focus to on mounting (the family the user came back from). */
  focusId?: HouseholdId | null;
}

/** Moves focus between the result buttons with the arrow keys, Home and End. */
function moveFocus(list: HTMLElement | null, event: KeyboardEvent, fromSearch: boolean): void {
  if (!list) return;
  const items = Array.from(list.querySelectorAll<HTMLButtonElement>("button[data-testid='family-result']"));
  if (items.length === 0) return;
  const index = fromSearch ? -1 : items.indexOf(document.activeElement as HTMLButtonElement);
  let next: number | null = null;
  if (event.key === "ArrowDown") next = Math.min(items.length - 1, index + 1);
  else if (event.key === "ArrowUp" && !fromSearch) next = index - 1;
  else if (event.key === "Home" && !fromSearch) next = 0;
  else if (event.key === "End" && !fromSearch) next = items.length - 1;
  if (next === null) return;
  event.preventDefault();
  if (next < 0) {
    list.parentElement?.querySelector<HTMLInputElement>("input[type='search']")?.focus();
  } else {
    items[next]?.focus();
  }
}

/**
 * Search as you type over the families (accents ignored by the Rust side),
 * results as a list of buttons: ↓ from the field goes to the first, ↑ ↓
 * move between them, Enter opens.
 */
export function FamilySearch({ state, onState, onOpen, focusId }: FamilySearchProps) {
  const { t } = useI18n();
  const toast = useToast();
  const { info } = useSession();
  const [busy, setBusy] = useState(false);
  const list = useRef<HTMLUListElement>(null);
  const latest = useRef(state);
  latest.current = state;
  const mergedCodes = useMergedCodes(state.hits);
  const handlers = useRef({ onState, toast });
  handlers.current = { onState, toast };
  // One per mounted search: only the newest query's answer is shown.
  const searches = useMemo(
    () =>
      latestOnly((query: string) => call(commands.searchFamilies(query, SEARCH_LIMIT)), {
        onAnswer: (query, hits) => {
          handlers.current.onState({ query, hits });
          setBusy(false);
        },
        onError: (_query, err) => {
          handlers.current.toast.error(appErrorOf(err) ?? err);
          setBusy(false);
        },
      }),
    [],
  );
  useEffect(() => () => searches.cancel(), [searches]);

  useEffect(() => {
    if (!focusId) return;
    list.current?.querySelector<HTMLElement>(`[data-id="${focusId}"]`)?.focus();
    // Only on mounting: coming back from a family's page.
  }, []);

  const search = (query: string) => {
    if (query.trim() === "") {
      searches.cancel();
      setBusy(false);
      onState({ query, hits: null });
      return;
    }
    onState({ query, hits: latest.current.hits });
    setBusy(true);
    searches.submit(query);
  };

  const { hits, query } = state;
  let status: string;
  if (hits === null || query.trim() === "") status = busy ? t("families.search.searching") : t("families.search.hint");
  else if (hits.length === 0) status = t("families.search.noResults", { query: query.trim() });
  else status = t("counts.results", { n: hits.length });

  return (
    <div
      class="family-search"
      onKeyDown={(e) => {
        if ((e.target as HTMLElement).tagName === "INPUT") moveFocus(list.current, e, true);
      }}
    >
      <div>
        <SearchBox
          data-testid="family-search"
          label={t("families.search.label")}
          placeholder={t("families.search.placeholder")}
          delay={SEARCH_DELAY_MS}
          initialValue={state.query}
          onSearch={search}
        />
      </div>
      <p role="status" class="muted" data-testid="family-search-status">
        {status}
      </p>
      {hits && hits.length > 0 && query.trim() !== "" && (
        <>
          <p class="muted visually-hidden">{t("families.search.keyboard")}</p>
          <ul
            class="pick-list"
            ref={list}
            aria-label={t("families.search.results")}
            aria-busy={busy ? "true" : "false"}
            onKeyDown={(e) => moveFocus(list.current, e, false)}
          >
            {hits.map((hit) => {
              const merged = hit.merged_into;
              const mergedCode = merged ? (hits.find((h) => h.id === merged)?.code ?? mergedCodes.get(merged)) : undefined;
              return (
                <li key={hit.id}>
                  <button
                    type="button"
                    class="pick-list__item"
                    data-testid="family-result"
                    data-id={hit.id}
                    onClick={() => onOpen(hit.id)}
                  >
                    <span class="code">{hit.code}</span>
                    <span>{hit.names}</span>
                    {info.labs.length > 1 && <span class="muted">{labName(info.labs, hit.lab)}</span>}
                    {merged && (
                      <span class="badge badge--info">
                        {mergedCode
                          ? t("families.search.mergedInto", { code: mergedCode })
                          : t("families.search.mergedIntoUnknown")}
                      </span>
                    )}
                  </button>
                </li>
              );
            })}
          </ul>
        </>
      )}
    </div>
  );
}

/** At most this many families are looked up to name where a merged one went. */
const MAX_LOOKUPS = 5;

/**
 * The codes of the families that merged results went into, when they are
 * not in the results themselves (the Rust side sends only the id: see the
 * report). Looked up once each, a few at a time.
 */
function useMergedCodes(hits: HouseholdHit[] | null): Map<HouseholdId, string> {
  const [codes, setCodes] = useState<Map<HouseholdId, string>>(() => new Map());
  const asked = useRef(new Set<HouseholdId>());
  useEffect(() => {
    if (!hits) return;
    const inList = new Set(hits.map((h) => h.id));
    const wanted = [
      ...new Set(hits.map((h) => h.merged_into).filter((id): id is HouseholdId => !!id && !inList.has(id))),
    ]
      .filter((id) => !asked.current.has(id))
      .slice(0, MAX_LOOKUPS);
    for (const id of wanted) {
      asked.current.add(id);
      void call(commands.getFamily(id)).then(
        (detail) => setCodes((m) => new Map(m).set(id, detail.household.code)),
        () => {
          // Unknown here (not on this computer): the result says "another family".
        },
      );
    }
  }, [hits]);
  return codes;
}
