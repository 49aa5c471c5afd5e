import { useId } from "preact/hooks";
import { call } from "../../api/call";
import { useSession } from "../../app/session";
import { commands, type HouseholdId } from "../../bindings";
import { useI18n } from "../../i18n";
import { ExportTrailButton, SaveButton, TrailBody, useTrail } from "../privacy/TrailTable";

/**
 * "Registro delle attività" on a family's page: who did what to it (ids,
 * codes and the parts touched only), newest first, and its CSV for the
 * DPO. Shown with the right to read the audit trail (coordinators, leads
 * and the demo register, by the shell's table).
 */
export function FamilyTrail({ id }: { id: HouseholdId }) {
  const { info } = useSession();
  if (!info.rights.includes("read_audit_trail")) return null;
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
  return (
    <SaveButton
      save={() => call(commands.subjectAccess(id))}
      saved={(path) => t("privacy.subjectAccess.saved", { path })}
      title={t("privacy.subjectAccess.hint")}
      data-testid="subject-access"
    >
      {t("privacy.subjectAccess.button")}
    </SaveButton>
  );
}
