import { useState } from "preact/hooks";
import { useSession } from "../app/session";
import type { HouseholdId } from "../bindings";
import "../components/widgets.css";
import { useI18n } from "../i18n";
import { FamilyPage } from "./families/FamilyPage";
import { Decisions } from "./privacy/Decisions";
import { DueList } from "./privacy/DueList";
import { LabTrail } from "./privacy/LabTrail";
import { RetentionForm } from "./privacy/RetentionForm";
import { privacyRight } from "./privacy/trail";

/**
 * Riservatezza: what waits for a coordinator's decision (erasures leads
 * asked for, families that withdrew consent: each opens the family's page,
 * where it is erased or restricted), the retention policy and the families
 * due under it (coordinators and the demo register), and a lab's audit
 * trail with its CSV for the DPO (also lab leads). Other roles do not see
 * the section.
 */
export function Privacy() {
  const { t } = useI18n();
  const { info } = useSession();
  const right = privacyRight(info.role);
  const [family, setFamily] = useState<HouseholdId | null>(null);
  if (family !== null) {
    return <FamilyPage key={family} id={family} onBack={() => setFamily(null)} onOpen={setFamily} />;
  }
  return (
    <div data-testid="screen-privacy">
      <h1>{t("sections.privacy")}</h1>
      {right === "none" ? (
        <p data-testid="privacy-not-allowed">{t("privacy.notAllowed")}</p>
      ) : (
        <>
          <p class="lede">{right === "all" ? t("privacy.lede") : t("privacy.leadLede")}</p>
          {right === "all" && <Decisions onOpen={setFamily} />}
          {right === "all" && <RetentionForm />}
          {right === "all" && <DueList />}
          <LabTrail />
        </>
      )}
    </div>
  );
}
