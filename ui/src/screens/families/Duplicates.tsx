import { useEffect, useId, useRef, useState } from "preact/hooks";
import { appErrorOf, call } from "../../api/call";
import { useSession } from "../../app/session";
import { commands, type Household, type HouseholdHit, type HouseholdId } from "../../bindings";
import { Button } from "../../components/Button";
import { labName } from "../../components/labels";
import { useToast } from "../../components/Toast";
import { useI18n } from "../../i18n";

export interface DuplicatesProps {
  /** The family of the page: the one the duplicates are merged into. */
  family: Household;
  /** Likely duplicates, as the Rust side proposes them (merged ones left out). */
  duplicates: HouseholdHit[];
  /** Reloads the page's data after a merge, an undo or a confirmation. */
  reload: () => Promise<void>;
  onOpen: (id: HouseholdId) => void;
}

type FocusTarget = { kind: "pending" | "confirmed" | "duplicate"; id: HouseholdId } | null;

/**
 * "Possibili doppioni": families that may be this one registered twice.
 * "È la stessa famiglia: unisci qui" merges the duplicate into this family
 * (nothing is deleted); the merge then waits, undoable, until the lead
 * confirms it. The merges made from this page are kept in its state.
 */
export function Duplicates({ family, duplicates, reload, onOpen }: DuplicatesProps) {
  const { t } = useI18n();
  const toast = useToast();
  const { info } = useSession();
  const headingId = `dups-${useId()}`;
  const [pending, setPending] = useState<HouseholdHit[]>([]);
  const [confirmed, setConfirmed] = useState<HouseholdHit[]>([]);
  const [busy, setBusy] = useState<HouseholdId | null>(null);
  const [focus, setFocus] = useState<FocusTarget>(null);
  const section = useRef<HTMLElement>(null);

  // After an action the button that was pressed is gone: move focus to
  // what replaced it, so keyboard and screen reader users keep their place.
  useEffect(() => {
    if (!focus || !section.current) return;
    const el = section.current.querySelector<HTMLElement>(`[data-focus="${focus.kind}-${focus.id}"]`);
    if (el) {
      el.focus();
      setFocus(null);
    }
  });

  const run = async (hit: HouseholdHit, action: () => Promise<void>) => {
    if (busy) return;
    setBusy(hit.id);
    try {
      await action();
    } catch (err) {
      toast.error(appErrorOf(err) ?? err);
    } finally {
      setBusy(null);
    }
  };

  const merge = (hit: HouseholdHit) =>
    run(hit, async () => {
      await call(commands.mergeFamilies(hit.id, family.id));
      setPending((list) => [...list.filter((h) => h.id !== hit.id), hit]);
      setFocus({ kind: "pending", id: hit.id });
      await reload();
    });

  const undo = (hit: HouseholdHit) =>
    run(hit, async () => {
      await call(commands.undoMerge(hit.id));
      setPending((list) => list.filter((h) => h.id !== hit.id));
      toast.success(t("families.duplicates.undone", { code: hit.code }));
      setFocus({ kind: "duplicate", id: hit.id });
      await reload();
    });

  const confirm = (hit: HouseholdHit) =>
    run(hit, async () => {
      await call(commands.confirmMerge(hit.id));
      setPending((list) => list.filter((h) => h.id !== hit.id));
      setConfirmed((list) => [...list.filter((h) => h.id !== hit.id), hit]);
      setFocus({ kind: "confirmed", id: hit.id });
      await reload();
    });

  const pendingIds = new Set(pending.map((h) => h.id));
  const shown = duplicates.filter((d) => !pendingIds.has(d.id) && d.id !== family.id);

  return (
    <section class="page-section" aria-labelledby={headingId} ref={section}>
      <h2 id={headingId}>{t("families.duplicates.title")}</h2>
      {pending.map((hit) => (
        <div class="notice" data-testid="merge-pending" key={`p-${hit.id}`}>
          <p class="notice__title" tabIndex={-1} data-focus={`pending-${hit.id}`}>
            {t("families.duplicates.pendingTitle", { code: hit.code })}
          </p>
          <p>{t("families.duplicates.pendingBody")}</p>
          <div class="toolbar">
            <Button data-testid="merge-undo" busy={busy === hit.id} onClick={() => void undo(hit)}>
              {t("families.duplicates.undo")}
            </Button>
            <Button variant="primary" data-testid="merge-confirm" busy={busy === hit.id} onClick={() => void confirm(hit)}>
              {t("families.duplicates.confirm")}
            </Button>
          </div>
        </div>
      ))}
      {confirmed.map((hit) => (
        <div class="notice notice--success" data-testid="merge-confirmed" key={`c-${hit.id}`}>
          <p tabIndex={-1} data-focus={`confirmed-${hit.id}`}>
            {t("families.duplicates.confirmed", { code: hit.code })}
          </p>
        </div>
      ))}
      {shown.length === 0 ? (
        <p class="muted">{t("families.duplicates.none")}</p>
      ) : (
        <>
          <p>{t("families.duplicates.intro")}</p>
          <ul class="pick-list">
            {shown.map((hit) => {
              const descId = `${headingId}-${hit.id}`;
              return (
                <li key={hit.id} class="pick-list__row" data-testid="duplicate-item">
                  <span id={descId}>
                    <span class="code">{hit.code}</span> {hit.names}
                    {hit.lab !== family.lab && <span class="muted"> · {labName(info.labs, hit.lab)}</span>}
                  </span>
                  <span class="toolbar">
                    <Button variant="quiet" aria-describedby={descId} onClick={() => onOpen(hit.id)}>
                      {t("families.duplicates.open")}
                    </Button>
                    <Button
                      data-testid="merge-into-this"
                      data-focus={`duplicate-${hit.id}`}
                      aria-describedby={descId}
                      busy={busy === hit.id}
                      onClick={() => void merge(hit)}
                    >
                      {t("families.duplicates.merge")}
                    </Button>
                  </span>
                </li>
              );
            })}
          </ul>
        </>
      )}
    </section>
  );
}
