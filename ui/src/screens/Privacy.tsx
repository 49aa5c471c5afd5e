import { useState } from "preact/hooks";
import { useSession } from "../app/session";
import type { Action, HouseholdId } from "../bindings";
import "../components/widgets.css";
import { useI18n } from "../i18n";
import { FamilyPage } from "./families/FamilyPage";
import { Decisions } from "./privacy/Decisions";
import { DueList } from "./privacy/DueList";
import { LabTrail } from "./privacy/LabTrail";
import { RetentionForm } from "./privacy/RetentionForm";
import { PRIVACY_RIGHTS, privacyRight } from "./privacy/trail";

/**
 * Riservatezza: what waits for a coordinator's decision (erasures leads
 * asked for, families that withdrew consent: each opens the family's page,
 * where it is erased or restricted) and the families due under the
 * retention policy (`decide_privacy`), the policy itself
 * (`change_project_settings`), and a lab's audit trail with its CSV for the
 * DPO (`read_audit_trail`). Each part follows this device's rights, never
 * its role; with none of them the section is not shown.
 */
export function Privacy() {
  const { t } = useI18n();
  const { info } = useSession();
  const may = (action: Action) => info.rights.includes(action);
  const [family, setFamily] = useState<HouseholdId | null>(null);
  if (family !== null) {
    return <FamilyPage key={family} id={family} onBack={() => setFamily(null)} onOpen={setFamily} />;
  }
  return (
    <div data-testid="screen-privacy">
      <h1>{t("sections.privacy")}</h1>
      {!PRIVACY_RIGHTS.some(may) ? (
        <p data-testid="privacy-not-allowed">{t("privacy.notAllowed")}</p>
      ) : (
        <>
          <p class="lede">{privacyRight(info.rights) === "trail" ? t("privacy.leadLede") : t("privacy.lede")}</p>
          {may("decide_privacy") && <Decisions onOpen={setFamily} />}
          {may("change_project_settings") && <RetentionForm />}
          {may("decide_privacy") && <DueList />}
          {may("read_audit_trail") && <LabTrail />}
        </>
      )}
    </div>
  );
}
