import { useState } from "preact/hooks";
import { useSession } from "../app/session";
import type { HouseholdId } from "../bindings";
import { Button } from "../components/Button";
import { NewFamilyDialog } from "../components/NewFamilyDialog";
import "../components/widgets.css";
import { useI18n } from "../i18n";
import { FamilyPage } from "./families/FamilyPage";
import { FamilySearch, type SearchState } from "./families/FamilySearch";

/**
 * Famiglie: search as you type, register a family, and each family's page
 * (members, consent, pathways, attendance, likely duplicates). Navigation
 * between the search and a page is state; the search is kept when coming
 * back, with focus on the family that was opened.
 */
export function Families() {
  const { t } = useI18n();
  const { info } = useSession();
  const [search, setSearch] = useState<SearchState>({ query: "", hits: null });
  const [open, setOpen] = useState<HouseholdId | null>(null);
  const [cameFrom, setCameFrom] = useState<HouseholdId | null>(null);
  const [registering, setRegistering] = useState(false);
  const lab = info.lab ?? info.labs[0]?.id ?? null;

  if (open) {
    return (
      <div data-testid="screen-families">
        <FamilyPage
          key={open}
          id={open}
          onOpen={setOpen}
          onBack={() => {
            setCameFrom(open);
            setOpen(null);
          }}
        />
      </div>
    );
  }

  return (
    <div data-testid="screen-families">
      <div class="page-head">
        <h1>{t("sections.families")}</h1>
        <div class="page-head__actions">
          <Button
            variant="primary"
            data-testid="register-family"
            disabled={lab === null}
            onClick={() => setRegistering(true)}
          >
            {t("families.register")}
          </Button>
          {lab === null && <p class="muted">{t("families.registerNoLab")}</p>}
        </div>
      </div>
      <FamilySearch state={search} onState={setSearch} onOpen={setOpen} focusId={cameFrom} />
      {lab !== null && (
        <NewFamilyDialog
          open={registering}
          lab={lab}
          onClose={() => setRegistering(false)}
          onRegistered={(reg) => {
            setRegistering(false);
            setOpen(reg.id);
          }}
        />
      )}
    </div>
  );
}
