import { useId, useRef, useState } from "preact/hooks";
import { call } from "../../api/call";
import { errorMessage } from "../../api/errors";
import { useLoad } from "../../api/useLoad";
import { commands, type NomenclatureView } from "../../bindings";
import { Button } from "../../components/Button";
import { Dialog } from "../../components/Dialog";
import { Loaded } from "../../components/Loaded";
import { SelectField } from "../../components/SelectField";
import { TextField } from "../../components/TextField";
import { useToast } from "../../components/Toast";
import { useI18n, type Translate } from "../../i18n";

/** The longest area code the Rust side accepts (`MAX_NOMENCLATURE_CODE`). */
export const MAX_CODE_CHARS = 16;

/** What is wrong with a typed area, field by field (the Rust side checks again). */
export function areaProblems(code: string, name: string, t: Translate): { code?: string; name?: string } {
  const c = code.trim();
  return {
    ...(c === ""
      ? { code: t("settings.nomenclature.codeEmpty") }
      : [...c].length > MAX_CODE_CHARS
        ? { code: t("settings.nomenclature.codeLong", { n: MAX_CODE_CHARS }) }
        : {}),
    ...(name.trim() === "" ? { name: t("settings.nomenclature.nameEmpty") } : {}),
  };
}

/**
 * The areas of the social-services nomenclature the district reports with
 * (code and name, as in its table) and, per activity type, the area it
 * counts in for the half-yearly monitoring. Shown only to those who may
 * change the project's settings (`change_project_settings`).
 */
export function NomenclatureSetting() {
  const { t, lang } = useI18n();
  const toast = useToast();
  const headingId = `nomenclature-${useId()}`;
  const view = useLoad(() => call(commands.nomenclature()), [], { onError: toast.error });
  const [code, setCode] = useState("");
  const [name, setName] = useState("");
  const [attempted, setAttempted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  /** An area in use that "Togli" was pressed for: asked about first. */
  const [removing, setRemoving] = useState<{ code: string; used: number } | null>(null);
  const keep = useRef<HTMLButtonElement>(null);
  const refs = { code: useRef<HTMLElement>(null), name: useRef<HTMLElement>(null) };
  const problems = areaProblems(code, name, t);

  const change = async (run: () => Promise<NomenclatureView>, done: string) => {
    setBusy(true);
    try {
      view.setData(await run());
      toast.success(done);
      return true;
    } catch (err) {
      toast.error(err);
      return false;
    } finally {
      setBusy(false);
    }
  };

  const remove = (code: string) =>
    change(() => call(commands.removeNomenclatureArea(code)), t("settings.nomenclature.removed", { code }));

  // An area no activity type counts in goes at once; one in use changes
  // the half-yearly monitoring, so the coordinator confirms it first.
  const askRemove = (code: string, used: number) => {
    if (used === 0) void remove(code);
    else setRemoving({ code, used });
  };

  const confirmRemove = async () => {
    if (!removing) return;
    // On failure the dialog stays, with the error in a toast: try again or cancel.
    if (await remove(removing.code)) setRemoving(null);
  };

  const add = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    setAttempted(true);
    setFailure(null);
    if (problems.code) return refs.code.current?.focus();
    if (problems.name) return refs.name.current?.focus();
    setBusy(true);
    try {
      const typed = code.trim();
      view.setData(await call(commands.putNomenclatureArea({ code: typed, name: name.trim() })));
      toast.success(t("settings.nomenclature.added", { code: typed }));
      setCode("");
      setName("");
      setAttempted(false);
    } catch (err) {
      setFailure(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="settings__section" aria-labelledby={headingId} data-testid="settings-nomenclature">
      <h2 id={headingId}>{t("settings.nomenclature.heading")}</h2>
      <p>{t("settings.nomenclature.explain")}</p>
      <Loaded load={view} loadingLabel={t("settings.nomenclature.loading")}>
        {(v) => (
          <>
            {v.areas.length === 0 ? (
              <p class="notice" data-testid="nomenclature-none">
                {t("settings.nomenclature.none")}
              </p>
            ) : (
              <ul class="nomenclature-areas" data-testid="nomenclature-areas">
                {v.areas.map((a) => {
                  const used = v.activity_types.filter((ty) => ty.nomenclature === a.code).length;
                  return (
                    <li key={a.code}>
                      <span class="code">{a.code}</span> {a.name}{" "}
                      <span class="field__hint">{t("settings.nomenclature.usedBy", { n: used })}</span>{" "}
                      <Button
                        variant="secondary"
                        disabled={busy}
                        aria-label={t("settings.nomenclature.removeLabel", { code: a.code })}
                        data-testid={`nomenclature-remove-${a.code}`}
                        onClick={() => askRemove(a.code, used)}
                      >
                        {t("settings.nomenclature.remove")}
                      </Button>
                    </li>
                  );
                })}
              </ul>
            )}
            <h3 class="settings__subheading">{t("settings.nomenclature.mappingHeading")}</h3>
            {v.activity_types.map((ty) => {
              const label = lang === "it" ? ty.label_it : ty.label_en;
              return (
                <SelectField
                  key={ty.key}
                  label={label}
                  value={ty.nomenclature ?? ""}
                  options={[
                    { value: "", label: t("settings.nomenclature.notMapped") },
                    ...v.areas.map((a) => ({ value: a.code, label: `${a.code} · ${a.name}` })),
                  ]}
                  disabled={busy}
                  onValueChange={(value) =>
                    void change(
                      () => call(commands.setActivityNomenclature(ty.key, value === "" ? null : value)),
                      t("settings.nomenclature.mapped", { activity: label }),
                    )
                  }
                  data-testid={`nomenclature-map-${ty.key}`}
                />
              );
            })}
          </>
        )}
      </Loaded>
      <Dialog
        open={removing !== null}
        onClose={() => setRemoving(null)}
        title={removing ? t("settings.nomenclature.removeTitle", { code: removing.code }) : ""}
        initialFocus={keep}
        size="small"
        footer={
          <>
            <Button ref={keep} onClick={() => setRemoving(null)} data-testid="nomenclature-remove-cancel">
              {t("common.cancel")}
            </Button>
            <Button
              variant="danger"
              busy={busy}
              onClick={() => void confirmRemove()}
              data-testid="nomenclature-remove-confirm"
            >
              {t("settings.nomenclature.removeConfirm")}
            </Button>
          </>
        }
      >
        <p data-testid="nomenclature-remove-consequence">
          {removing ? t("settings.nomenclature.removeConsequence", { n: removing.used }) : ""}
        </p>
      </Dialog>
      <form onSubmit={(e) => void add(e)} noValidate data-testid="nomenclature-add">
        <h3 class="settings__subheading">{t("settings.nomenclature.addHeading")}</h3>
        <TextField
          label={t("settings.nomenclature.code")}
          hint={t("settings.nomenclature.codeHint", { n: MAX_CODE_CHARS })}
          value={code}
          onValueChange={setCode}
          error={attempted ? problems.code : undefined}
          autoComplete="off"
          inputRef={refs.code}
          data-testid="nomenclature-code"
        />
        <TextField
          label={t("settings.nomenclature.name")}
          value={name}
          onValueChange={setName}
          error={attempted ? problems.name : undefined}
          autoComplete="off"
          inputRef={refs.name}
          data-testid="nomenclature-name"
        />
        {failure && (
          <p class="form-error" role="alert">
            {failure}
          </p>
        )}
        <Button type="submit" variant="primary" busy={busy} data-testid="nomenclature-submit">
          {t("settings.nomenclature.add")}
        </Button>
      </form>
    </section>
  );
}
