import { useId, useState } from "preact/hooks";
import { appErrorOf, call } from "../../api/call";
import { useSession } from "../../app/session";
import { commands, type HouseholdId } from "../../bindings";
import { Button } from "../../components/Button";
import { useToast } from "../../components/Toast";
import { useI18n } from "../../i18n";
import { privacyRight } from "../privacy/trail";
import { ExportTrailButton, TrailBody, useTrail } from "../privacy/TrailTable";

/**
 * "Registro delle attività" on a family's page: who did what to it (ids,
 * codes and the parts touched only), newest first, and its CSV for the
 * DPO. Shown to coordinators, leads and on the demo register.
 */
export function FamilyTrail({ id }: { id: HouseholdId }) {
  const { info } = useSession();
  if (privacyRight(info.role) === "none") return null;
  return <FamilyTrailSection id={id} />;
}

function FamilyTrailSection({ id }: { id: HouseholdId }) {
  const { t } = useI18n();
  const headingId = `family-trail-${useId()}`;
  const trail = useTrail({ household: id });
  return (
    <section class="page-section" aria-labelledby={headingId} data-testid="family-trail">
      <h2 id={headingId}>{t("privacy.trail.familyHeading")}</h2>
      <p class="muted">{t("privacy.trail.intro")}</p>
      <div class="toolbar">
        <ExportTrailButton scope={{ household: id }} />
        <SubjectAccessButton id={id} />
      </div>
      <TrailBody trail={trail} caption={t("privacy.trail.familyHeading")} />
    </section>
  );
}

/**
 * "Estratto per la famiglia": everything held about it (GDPR arts. 15 and
 * 20), a PDF to hand over and a JSON file, into a folder the user picks.
 */
function SubjectAccessButton({ id }: { id: HouseholdId }) {
  const { t } = useI18n();
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    try {
      const saved = await call(commands.subjectAccess(id));
      if (saved) toast.success(t("privacy.subjectAccess.saved", { path: saved.paths.join(", ") }));
    } catch (err) {
      toast.error(appErrorOf(err) ?? err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button busy={busy} data-testid="subject-access" title={t("privacy.subjectAccess.hint")} onClick={() => void run()}>
      {t("privacy.subjectAccess.button")}
    </Button>
  );
}
