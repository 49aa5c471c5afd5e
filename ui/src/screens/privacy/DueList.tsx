import { useEffect, useId, useRef, useState } from "preact/hooks";
import { appErrorOf, call } from "../../api/call";
import { useLoad } from "../../api/useLoad";
import { useSession } from "../../app/session";
import { commands, type HouseholdId } from "../../bindings";
import { Button } from "../../components/Button";
import { labName } from "../../components/labels";
import { LoadFailed } from "../../components/Loaded";
import { Spinner } from "../../components/Spinner";
import { useToast } from "../../components/Toast";
import { useI18n } from "../../i18n";

/**
 * "Famiglie da cancellare": the families due under the retention policy.
 * The coordinator ticks them (not those with a merge to confirm), confirms
 * in an inline step that says how many and that it cannot be undone, and
 * `eraseDue` erases them all or none (`not_due`: one had activity since;
 * the list is read again).
 */
export function DueList() {
  const { t, formatDate, formatNumber } = useI18n();
  const { info } = useSession();
  const toast = useToast();
  const ids = useId();
  const headingId = `due-${ids}`;
  const list = useLoad(() => call(commands.retentionDue()), [], { onError: toast.error });
  const due = list.data;
  const [selected, setSelected] = useState<ReadonlySet<HouseholdId>>(new Set());
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const eraseButton = useRef<HTMLDivElement>(null);
  const cancelButton = useRef<HTMLSpanElement>(null);

  /** Reads the list again; what was ticked was ticked in the old one. */
  const load = async () => {
    await list.reload();
    setSelected(new Set());
    setConfirming(false);
  };

  // The confirm step takes focus on its safe choice, "Annulla".
  useEffect(() => {
    if (confirming) cancelButton.current?.querySelector("button")?.focus();
  }, [confirming]);

  const selectable = (due ?? []).filter((d) => !d.unconfirmed_merge);
  const chosen = (due ?? []).filter((d) => selected.has(d.household) && !d.unconfirmed_merge);
  const allChosen = selectable.length > 0 && chosen.length === selectable.length;

  const toggle = (id: HouseholdId, on: boolean) => {
    setConfirming(false);
    setSelected((s) => {
      const next = new Set(s);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  };

  const toggleAll = (on: boolean) => {
    setConfirming(false);
    setSelected(new Set(on ? selectable.map((d) => d.household) : []));
  };

  const cancel = () => {
    setConfirming(false);
    // Back to the button that opened the step (after it renders again).
    setTimeout(() => eraseButton.current?.querySelector("button")?.focus(), 0);
  };

  const erase = async () => {
    if (busy || chosen.length === 0) return;
    setBusy(true);
    try {
      const codes = await call(commands.eraseDue(chosen.map((d) => d.household)));
      toast.success(t("privacy.due.erased", { codes: codes.join(", ") }));
      await load();
      heading.current?.focus();
    } catch (err) {
      toast.error(appErrorOf(err) ?? err);
      const kind = appErrorOf(err)?.kind;
      if (kind === "not_due" || kind === "merge" || kind === "erased") {
        // Nothing was erased: the list changed, the coordinator looks again.
        await load();
        heading.current?.focus();
      } else {
        setConfirming(false);
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="page-section" aria-labelledby={headingId} data-testid="privacy-due">
      <h2 id={headingId} ref={heading} tabIndex={-1}>
        {t("privacy.due.heading")}
      </h2>
      <p class="muted">{t("privacy.due.intro")}</p>
      {list.error !== null && !due ? (
        <LoadFailed onRetry={list.reload} busy={list.loading} />
      ) : !due ? (
        <Spinner />
      ) : due.length === 0 ? (
        <p data-testid="due-empty">{t("privacy.due.empty")}</p>
      ) : (
        <>
          <div class="toolbar">
            <label class="choice">
              <input
                type="checkbox"
                data-testid="due-select-all"
                checked={allChosen}
                disabled={selectable.length === 0 || busy}
                onChange={(e) => toggleAll((e.currentTarget as HTMLInputElement).checked)}
              />
              <span>{t("privacy.due.selectAll")}</span>
            </label>
            <span class="muted" aria-live="polite" data-testid="due-count">
              {t("privacy.due.selected", { n: chosen.length })}
            </span>
          </div>
          <div class="table-wrap">
            <table class="data-table data-table--compact" data-testid="due-table">
              <caption class="visually-hidden">{t("privacy.due.heading")}</caption>
              <thead>
                <tr>
                  <th scope="col">
                    <span class="visually-hidden">{t("privacy.due.select")}</span>
                  </th>
                  <th scope="col">{t("privacy.due.code")}</th>
                  <th scope="col">{t("privacy.due.lab")}</th>
                  <th scope="col">{t("privacy.due.lastActivity")}</th>
                  <th scope="col" class="num">
                    {t("privacy.due.years")}
                  </th>
                  <th scope="col">{t("privacy.due.merged")}</th>
                </tr>
              </thead>
              <tbody>
                {due.map((d) => {
                  const hintId = `due-hint-${ids}-${d.household}`;
                  return (
                    <tr key={d.household} data-testid="due-row">
                      <td>
                        <input
                          type="checkbox"
                          class="due__check"
                          data-testid={`due-check-${d.code}`}
                          aria-label={t("privacy.due.selectFamily", { code: d.code })}
                          aria-describedby={d.unconfirmed_merge ? hintId : undefined}
                          checked={!d.unconfirmed_merge && selected.has(d.household)}
                          disabled={d.unconfirmed_merge || busy}
                          onChange={(e) => toggle(d.household, (e.currentTarget as HTMLInputElement).checked)}
                        />
                      </td>
                      <th scope="row">{d.code}</th>
                      <td>{labName(info.labs, d.lab)}</td>
                      <td>{formatDate(d.last_activity)}</td>
                      <td class="num">{formatNumber(d.years_inactive)}</td>
                      <td>
                        {d.merged.length > 0 ? d.merged.join(", ") : t("privacy.due.none")}
                        {d.unconfirmed_merge && (
                          <>
                            <span class="badge badge--warning">{t("privacy.due.unconfirmedMerge")}</span>
                            <p class="field__hint" id={hintId}>
                              {t("privacy.due.unconfirmedMergeHint")}
                            </p>
                          </>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          {confirming && chosen.length > 0 ? (
            <div
              class="notice notice--warning"
              role="group"
              aria-labelledby={`due-confirm-title-${ids}`}
              data-testid="due-confirm-step"
            >
              <p class="notice__title" id={`due-confirm-title-${ids}`}>
                {t("privacy.due.confirmTitle")}
              </p>
              <p>
                {t("privacy.due.confirmText", { n: chosen.length, codes: chosen.map((d) => d.code).join(", ") })}
              </p>
              <div class="toolbar">
                <Button variant="danger" busy={busy} data-testid="due-confirm" onClick={() => void erase()}>
                  {t("privacy.due.confirm", { n: chosen.length })}
                </Button>
                <span ref={cancelButton}>
                  <Button data-testid="due-cancel" onClick={cancel}>
                    {t("common.cancel")}
                  </Button>
                </span>
              </div>
            </div>
          ) : (
            <div class="toolbar" ref={eraseButton}>
              <Button
                variant="danger"
                data-testid="due-erase"
                disabled={chosen.length === 0}
                onClick={() => setConfirming(true)}
              >
                {t("privacy.due.erase")}
              </Button>
            </div>
          )}
        </>
      )}
    </section>
  );
}
