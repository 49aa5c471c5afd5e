import { useState } from "preact/hooks";
import { appErrorOf, call } from "../../api/call";
import { useLoad, type Load } from "../../api/useLoad";
import type { ComponentChildren } from "preact";
import { commands, type Saved, type TrailEntry, type TrailScope } from "../../bindings";
import { Button } from "../../components/Button";
import { Loaded } from "../../components/Loaded";
import { useToast } from "../../components/Toast";
import { useI18n } from "../../i18n";
import { actionLabel, newestFirst, shortDevice, trailDetail } from "./trail";

/**
 * The audit trail as a table, newest first: when (Rome), what, which
 * family, which computer, the parts touched. Shared by the Riservatezza
 * screen (a lab's trail) and a family's page.
 */
export function TrailTable({ entries, caption }: { entries: readonly TrailEntry[]; caption: string }) {
  const { t, lang, formatDate, formatTime } = useI18n();
  if (entries.length === 0) return <p class="muted" data-testid="trail-empty">{t("privacy.trail.empty")}</p>;
  return (
    <div class="table-wrap">
      <table class="data-table data-table--compact" data-testid="trail-table">
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t("privacy.trail.when")}</th>
            <th scope="col">{t("privacy.trail.action")}</th>
            <th scope="col">{t("privacy.trail.family")}</th>
            <th scope="col">{t("privacy.trail.device")}</th>
            <th scope="col">{t("privacy.trail.details")}</th>
          </tr>
        </thead>
        <tbody>
          {newestFirst(entries).map((e, i) => (
            <tr key={`${e.at}-${e.device}-${e.action}-${e.household ?? ""}-${i}`} data-testid="trail-row">
              <th scope="row" class="trail__when">
                {formatDate(e.at)} {formatTime(e.at)}
              </th>
              <td>
                {actionLabel(e.action, t)}
                {e.action === "full_export" && <span class="badge badge--warning">{t("exports.audit.withNames")}</span>}
              </td>
              <td>{e.code ?? "—"}</td>
              <td>
                <code title={e.device}>{shortDevice(e.device)}</code>
              </td>
              <td>{trailDetail(e, t, lang)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** "Esporta per il DPO (CSV)": saves the trail of `scope`, then says where (nothing if the dialog was closed). */
export function ExportTrailButton({ scope }: { scope: TrailScope }) {
  const { t } = useI18n();
  return (
    <SaveButton
      save={() => call(commands.exportAuditTrail(scope))}
      saved={(path) => t("privacy.trail.exported", { path })}
      data-testid="trail-export"
    >
      {t("privacy.trail.export")}
    </SaveButton>
  );
}

/**
 * A button that has the Rust side write files where the user chooses
 * (`Saved`, or `null` when the dialog was closed), then says where.
 */
export function SaveButton({
  save,
  saved,
  title,
  children,
  "data-testid": testId,
}: {
  save: () => Promise<Saved | null>;
  saved: (paths: string) => string;
  title?: string;
  children: ComponentChildren;
  "data-testid": string;
}) {
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    try {
      const done = await save();
      if (done) toast.success(saved(done.paths.join(", ")));
    } catch (err) {
      toast.error(appErrorOf(err) ?? err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button busy={busy} data-testid={testId} title={title} onClick={() => void run()}>
      {children}
    </Button>
  );
}

/** Loads the trail of `scope` (again when it changes); no scope, nothing to ask. */
export function useTrail(scope: TrailScope | null): Load<TrailEntry[]> {
  const toast = useToast();
  const key = scope ? JSON.stringify(scope) : "";
  return useLoad(() => (scope ? call(commands.auditTrail(scope)) : Promise.resolve([])), [key], {
    onError: toast.error,
  });
}

/** The table, or a spinner, or a retry button, for `useTrail`'s result. */
export function TrailBody({ trail, caption }: { trail: Load<TrailEntry[]>; caption: string }) {
  return <Loaded load={trail}>{(entries) => <TrailTable entries={entries} caption={caption} />}</Loaded>;
}
