import { useId, useState } from "preact/hooks";
import { call } from "../../api/call";
import { useLoad } from "../../api/useLoad";
import { useSession } from "../../app/session";
import { commands, type ReleaseList } from "../../bindings";
import { Button } from "../../components/Button";
import { Loaded } from "../../components/Loaded";
import { SelectField } from "../../components/SelectField";
import { useToast } from "../../components/Toast";
import { useI18n } from "../../i18n";

/** The newest version first, comparing numbers (0.10.0 after 0.9.3). */
export function newestFirst(versions: readonly string[]): string[] {
  const parts = (v: string) => v.split(/[.+-]/).map((p) => Number.parseInt(p, 10) || 0);
  return [...new Set(versions)].sort((a, b) => {
    const [x, y] = [parts(a), parts(b)];
    for (let i = 0; i < Math.max(x.length, y.length); i++) {
      const d = (y[i] ?? 0) - (x[i] ?? 0);
      if (d !== 0) return d;
    }
    return 0;
  });
}

/**
 * Aggiornamenti dei laboratori (coordinators, `manage_updates`): the
 * releases published on the hub, and per lab the newest version its
 * laptops are offered. Holding a lab keeps it on a version; to move labs
 * one at a time, hold them all on the one they run, then let them go one
 * by one. The hub checks the right again.
 */
export function LabHolds() {
  const { t, formatDate } = useI18n();
  const { info } = useSession();
  const toast = useToast();
  const headingId = useId();
  // The releases, and this app's version: the one the labs run before the
  // first release, to hold them on.
  const load = useLoad(
    async () => {
      const [list, status] = await Promise.all([call(commands.listReleases()), call(commands.updateStatus())]);
      return { list, current: status.current };
    },
    [],
    { onError: toast.error },
  );
  const [busy, setBusy] = useState<number | null>(null);

  const hold = async (lab: number, version: string | null) => {
    setBusy(lab);
    try {
      await call(commands.holdLab(lab, version));
      toast.success(
        version === null
          ? t("devices.holds.released", { lab })
          : t("devices.holds.held", { lab, version }),
      );
    } catch (err) {
      toast.error(err);
    } finally {
      setBusy(null);
      await load.reload();
    }
  };

  return (
    <section class="page-section" aria-labelledby={headingId} data-testid="lab-holds">
      <h2 id={headingId}>{t("devices.holds.title")}</h2>
      <p class="lede">{t("devices.holds.lede")}</p>
      <Loaded load={load} failed={t("devices.holds.loadFailed")} loadingLabel={t("devices.holds.loading")}>
        {({ list, current }: { list: ReleaseList; current: string }) => {
          const versions = newestFirst([...list.releases.map((r) => r.version), current]);
          return (
            <>
              {list.releases.length === 0 ? (
                <p class="muted" data-testid="releases-none">
                  {t("devices.holds.noReleases")}
                </p>
              ) : (
                <ul data-testid="releases">
                  {list.releases.map((r) => (
                    <li key={`${r.version} ${r.format}`}>
                      {t("devices.holds.release", {
                        version: r.version,
                        format: r.format,
                        date: formatDate(new Date(r.published_at)),
                      })}
                    </li>
                  ))}
                </ul>
              )}
              <div class="table-wrap">
                <table class="data-table" data-testid="holds-table">
                  <thead>
                    <tr>
                      <th scope="col">{t("devices.list.lab")}</th>
                      <th scope="col">{t("devices.holds.offered")}</th>
                      <th scope="col">{t("devices.list.actions")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {info.labs.map((lab) => {
                      const held = list.holds.find((h) => h.lab === lab.number);
                      return (
                        <HoldRow
                          key={lab.id}
                          lab={lab.number}
                          name={lab.name}
                          held={held?.version ?? null}
                          versions={versions}
                          busy={busy === lab.number}
                          onHold={(v) => void hold(lab.number, v)}
                        />
                      );
                    })}
                  </tbody>
                </table>
              </div>
            </>
          );
        }}
      </Loaded>
    </section>
  );
}

function HoldRow(props: {
  lab: number;
  name: string;
  held: string | null;
  versions: string[];
  busy: boolean;
  onHold: (version: string | null) => void;
}) {
  const { t } = useI18n();
  const [choice, setChoice] = useState(props.versions[props.versions.length - 1] ?? "");
  return (
    <tr data-testid="hold-row" data-lab={props.lab} data-held={props.held ?? ""}>
      <th scope="row">{t("devices.list.labName", { number: props.lab, name: props.name })}</th>
      <td data-testid="hold-offered">
        {props.held === null ? t("devices.holds.newest") : t("devices.holds.heldAt", { version: props.held })}
      </td>
      <td>
        {props.held === null ? (
          <div class="toolbar">
            <SelectField
              label={t("devices.holds.version", { lab: props.lab })}
              value={choice}
              options={props.versions.map((v) => ({ value: v, label: v }))}
              onValueChange={setChoice}
              data-testid="hold-version"
            />
            <Button busy={props.busy} data-testid="hold-button" onClick={() => props.onHold(choice)}>
              {t("devices.holds.hold")}
            </Button>
          </div>
        ) : (
          <Button busy={props.busy} data-testid="release-button" onClick={() => props.onHold(null)}>
            {t("devices.holds.letGo")}
          </Button>
        )}
      </td>
    </tr>
  );
}
