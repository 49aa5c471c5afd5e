import { useId, useState } from "preact/hooks";
import { useSession } from "../../app/session";
import type { LabId } from "../../bindings";
import { SelectField } from "../../components/SelectField";
import { useI18n } from "../../i18n";
import { ExportTrailButton, TrailBody, useTrail } from "./TrailTable";

/** "Registro delle attività del laboratorio": pick a lab, its trail newest first, its CSV for the DPO. */
export function LabTrail() {
  const { t } = useI18n();
  const { info } = useSession();
  const headingId = `lab-trail-${useId()}`;
  const first = info.labs.find((l) => l.id === info.lab)?.id ?? info.labs[0]?.id ?? null;
  const [lab, setLab] = useState<LabId | null>(first);
  const trail = useTrail(lab ? { lab } : null);
  return (
    <section class="page-section" aria-labelledby={headingId} data-testid="privacy-trail">
      <h2 id={headingId}>{t("privacy.trail.heading")}</h2>
      <p class="muted">{t("privacy.trail.intro")}</p>
      {lab === null ? (
        <p>{t("privacy.trail.noLabs")}</p>
      ) : (
        <>
          <div class="toolbar trail__toolbar">
            <SelectField
              label={t("privacy.trail.lab")}
              value={lab}
              options={info.labs.map((l) => ({ value: l.id, label: `${l.number} · ${l.name}` }))}
              onValueChange={(id) => setLab(id)}
              data-testid="trail-lab"
            />
            <ExportTrailButton scope={{ lab }} />
          </div>
          <TrailBody trail={trail} caption={t("privacy.trail.heading")} />
        </>
      )}
    </section>
  );
}
