import { useId } from "preact/hooks";
import { useSession } from "../../app/session";
import type { HouseholdId } from "../../bindings";
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
      </div>
      <TrailBody trail={trail} caption={t("privacy.trail.familyHeading")} />
    </section>
  );
}
