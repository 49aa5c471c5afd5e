import { useId } from "preact/hooks";
import { call } from "../../api/call";
import { useLoad } from "../../api/useLoad";
import { useSession } from "../../app/session";
import { commands, type HouseholdId, type PendingDecisions } from "../../bindings";
import { Button } from "../../components/Button";
import { labName } from "../../components/labels";
import { Loaded } from "../../components/Loaded";
import { useToast } from "../../components/Toast";
import { useI18n } from "../../i18n";
import { ERASURE_REASONS } from "./trail";

export interface DecisionsProps {
  /** Opens the family's page, where the coordinator erases or restricts it. */
  onOpen: (id: HouseholdId) => void;
}

/** One row of the list: a lead's erasure request or a withdrawn family. */
interface Row {
  household: HouseholdId;
  code: string;
  lab: string;
  /** When it was asked for or withdrawn (for the order: oldest first). */
  since: string;
  what: string;
}

/**
 * "Da decidere": what waits for a coordinator. Erasures asked for by lab
 * leads (confirmed by erasing the family on its page) and families that
 * withdrew the processing itself (erased or restricted on their page). The
 * list holds codes only; each row opens the family's page.
 */
export function Decisions({ onOpen }: DecisionsProps) {
  const { t } = useI18n();
  const toast = useToast();
  const headingId = `decisions-${useId()}`;
  const load = useLoad(() => call(commands.pendingDecisions()), [], { onError: toast.error });
  return (
    <section class="page-section" aria-labelledby={headingId} data-testid="privacy-decisions">
      <h2 id={headingId}>{t("privacy.decisions.heading")}</h2>
      <p class="muted">{t("privacy.decisions.intro")}</p>
      <Loaded load={load}>{(pending) => <DecisionList pending={pending} onOpen={onOpen} />}</Loaded>
    </section>
  );
}

/** The rows, oldest first, or "Niente da decidere". */
function DecisionList({ pending, onOpen }: { pending: PendingDecisions } & DecisionsProps) {
  const { t, formatDate } = useI18n();
  const { info } = useSession();
  const rows: Row[] = [
    ...pending.erasure_requests.map((r) => ({
      household: r.household,
      code: r.code,
      lab: r.lab,
      since: r.at.slice(0, 10),
      what: t("privacy.decisions.requested", {
        date: formatDate(r.at.slice(0, 10)),
        reason: t(ERASURE_REASONS[r.reason]),
      }),
    })),
    ...pending.withdrawn.map((w) => ({
      household: w.household,
      code: w.code,
      lab: w.lab,
      since: w.withdrawn_on,
      what: t("privacy.decisions.withdrawn", { date: formatDate(w.withdrawn_on) }),
    })),
  ].sort((a, b) => a.since.localeCompare(b.since) || a.code.localeCompare(b.code));

  if (rows.length === 0) return <p data-testid="decisions-empty">{t("privacy.decisions.empty")}</p>;
  return (
    <div class="table-wrap">
      <table class="data-table data-table--compact" data-testid="decisions-table">
        <caption class="visually-hidden">{t("privacy.decisions.heading")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("privacy.due.code")}</th>
            <th scope="col">{t("privacy.due.lab")}</th>
            <th scope="col">{t("privacy.decisions.what")}</th>
            <th scope="col">
              <span class="visually-hidden">{t("privacy.decisions.open")}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={`${r.household}-${r.what}`} data-testid="decision-row">
              <th scope="row">{r.code}</th>
              <td>{labName(info.labs, r.lab)}</td>
              <td>{r.what}</td>
              <td>
                <Button
                  variant="quiet"
                  data-testid={`decision-open-${r.code}`}
                  aria-label={t("privacy.decisions.openFamily", { code: r.code })}
                  onClick={() => onOpen(r.household)}
                >
                  {t("privacy.decisions.open")}
                </Button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
