import { useId, useState } from "preact/hooks";
import { appErrorOf, call } from "../../api/call";
import { useSession } from "../../app/session";
import { commands, type Household, type RestrictionReason } from "../../bindings";
import { Button } from "../../components/Button";
import { useToast } from "../../components/Toast";
import { useI18n } from "../../i18n";

const REASONS = {
  withdrawal: "restriction.reasonWithdrawal",
  accuracy: "restriction.reasonAccuracy",
  objection: "restriction.reasonObjection",
  legal_claims: "restriction.reasonLegalClaims",
  unlawful: "restriction.reasonUnlawful",
} as const satisfies Record<RestrictionReason, string>;

/**
 * "Limitazione del trattamento" (GDPR art. 18), with the `restrict` right
 * (coordinators and the demo register, by the shell's table): restrict
 * a family (frozen, left out of every export, still counted), for instance
 * when it withdrew its consent and asked to be kept rather than erased, or
 * lift the restriction. Erasure is the section below.
 */
export function Restriction({ family, reload }: { family: Household; reload: () => Promise<void> }) {
  const { t } = useI18n();
  const toast = useToast();
  const { info } = useSession();
  const ids = useId();
  const [reason, setReason] = useState<RestrictionReason>("withdrawal");
  const [busy, setBusy] = useState(false);
  if (!info.rights.includes("restrict")) return null;
  const restricted = family.legal_status === "restricted";

  const run = async (action: () => Promise<unknown>, done: string) => {
    setBusy(true);
    try {
      await action();
      toast.success(done);
      await reload();
    } catch (err) {
      toast.error(appErrorOf(err) ?? err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="page-section" aria-labelledby={`restriction-${ids}`} data-testid="restriction">
      <h2 id={`restriction-${ids}`}>{t("restriction.heading")}</h2>
      {restricted ? (
        <>
          <p>{t("restriction.restricted")}</p>
          <Button
            busy={busy}
            data-testid="restriction-lift"
            onClick={() => void run(() => call(commands.liftRestriction(family.id, null)), t("restriction.lifted", { code: family.code }))}
          >
            {t("restriction.lift")}
          </Button>
        </>
      ) : (
        <>
          <p>{t("restriction.explain")}</p>
          <div class="field">
            <label for={`restriction-reason-${ids}`}>{t("restriction.reason")}</label>
            <select
              id={`restriction-reason-${ids}`}
              data-testid="restriction-reason"
              value={reason}
              onChange={(e) => setReason((e.target as HTMLSelectElement).value as RestrictionReason)}
            >
              {(Object.keys(REASONS) as RestrictionReason[]).map((r) => (
                <option key={r} value={r}>
                  {t(REASONS[r])}
                </option>
              ))}
            </select>
          </div>
          <Button
            busy={busy}
            data-testid="restriction-apply"
            onClick={() => void run(() => call(commands.restrictFamily(family.id, reason, null)), t("restriction.applied", { code: family.code }))}
          >
            {t("restriction.apply")}
          </Button>
        </>
      )}
    </section>
  );
}
