import { useEffect, useId, useRef, useState } from "preact/hooks";
import { call } from "../api/call";
import { useLoad } from "../api/useLoad";
import { errorMessage } from "../api/errors";
import { commands, type LabId, type Person, type PersonId, type SessionInfo } from "../bindings";
import { Button } from "../components/Button";
import { Dialog } from "../components/Dialog";
import { Loaded } from "../components/Loaded";
import { useI18n } from "../i18n";
import { useSession } from "./session";

/** "Anna Rossi". */
export function personName(p: Pick<Person, "first_name" | "last_name">): string {
  return `${p.first_name} ${p.last_name}`.trim();
}

/**
 * Whose staff the picker lists: the lab shown, or every lab for a
 * coordinator and on the demo register (not paired, no role).
 */
export function operatorScope(info: SessionInfo): LabId | null {
  return info.role === null || info.role === "coordinator" ? null : info.lab;
}

/**
 * Who is offered first: the person using the app now, else the one chosen
 * last time on this computer, if they are in `people`.
 */
export function preselected(info: SessionInfo, people: readonly Person[]): PersonId | null {
  for (const id of [info.operator?.id, info.settings.last_operator]) {
    if (id && people.some((p) => p.id === id)) return id;
  }
  return null;
}

export interface OperatorDialogProps {
  open: boolean;
  /** Closed: chosen, skipped, or dismissed (Esc, ×: nothing changes). */
  onClose: () => void;
}

/**
 * "Chi sta usando il registro?": the staff of the lab (of every lab for a
 * coordinator) as radio buttons, the person chosen last time on this
 * computer already selected. "Continua come …" names them in the audit
 * trail until the register locks (`setOperator`); "Preferisco non
 * indicarlo" names nobody (the device only, as before). Shown after every
 * unlock and from the header.
 */
export function OperatorDialog({ open, onClose }: OperatorDialogProps) {
  // Mounted per opening: the list is read afresh and the choice starts over.
  return open ? <OperatorPicker onClose={onClose} /> : null;
}

function OperatorPicker({ onClose }: { onClose: () => void }) {
  const { t } = useI18n();
  const { info, refresh } = useSession();
  const scope = operatorScope(info);
  // Once per opening (no dependencies): while the dialog is open, nothing
  // else changes the session. A failure is said inside the dialog, no toast.
  const staff = useLoad(() => call(commands.listStaff(scope)), []);
  const [picked, setPicked] = useState<PersonId | null>(null);
  const [busy, setBusy] = useState<"choose" | "skip" | null>(null);
  const [error, setError] = useState<string | null>(null);
  const list = useRef<HTMLDivElement>(null);
  const formId = `operator-${useId()}`;
  // Until someone is picked, the person chosen last time (or the current operator).
  const chosen = picked ?? (staff.data ? preselected(info, staff.data) : null);

  // Once the list is there, focus goes to the person selected (or the first):
  // arrows move among the people, Tab reaches the buttons.
  const ready = staff.data !== null;
  useEffect(() => {
    if (!ready || !list.current) return;
    const radio =
      list.current.querySelector<HTMLInputElement>("input:checked") ??
      list.current.querySelector<HTMLInputElement>("input");
    radio?.focus();
  }, [ready]);

  const save = async (person: PersonId | null, which: "choose" | "skip") => {
    if (busy) return;
    setBusy(which);
    setError(null);
    try {
      await call(commands.setOperator(person));
      await refresh();
      onClose();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(null);
    }
  };

  const people = staff.data ?? [];
  const chosenPerson = people.find((p) => p.id === chosen);
  const labNames = (p: Person) =>
    info.labs
      .filter((l) => p.labs.includes(l.id))
      .map((l) => l.name)
      .join(", ");
  const showLabs = scope === null && info.labs.length > 1;

  const footer = (
    <>
      <Button busy={busy === "skip"} onClick={() => void save(null, "skip")} data-testid="operator-skip">
        {t("operator.skip")}
      </Button>
      <Button
        variant="primary"
        type="submit"
        form={formId}
        busy={busy === "choose"}
        disabled={!ready || people.length === 0}
        data-testid="operator-confirm"
      >
        {chosenPerson ? t("operator.confirmAs", { name: personName(chosenPerson) }) : t("operator.confirm")}
      </Button>
    </>
  );

  return (
    <Dialog open title={t("operator.title")} onClose={onClose} footer={footer} size="small" class="operator">
      <form
        id={formId}
        onSubmit={(event) => {
          event.preventDefault();
          if (!chosen) {
            setError(t("operator.chooseFirst"));
            return;
          }
          void save(chosen, "choose");
        }}
      >
        <p>{t("operator.lede")}</p>
        <Loaded load={staff} failed={t("operator.loadError")}>
          {(people) =>
            people.length === 0 && (
              <p class="muted" data-testid="operator-empty">
                {t("operator.empty")}
              </p>
            )
          }
        </Loaded>
        {people.length > 0 && (
          <fieldset class="fieldset operator__people">
            <legend>{scope === null ? t("operator.allLabs") : t("operator.lab", { lab: labName(info, scope) })}</legend>
            <div class="operator__list" ref={list} data-testid="operator-list">
              {people.map((p) => (
                <label class="operator__option" key={p.id}>
                  <input
                    type="radio"
                    name="operator"
                    value={p.id}
                    checked={chosen === p.id}
                    onChange={() => {
                      setPicked(p.id);
                      setError(null);
                    }}
                  />
                  <span class="operator__name">{personName(p)}</span>
                  <span class="operator__meta">
                    {t(`people.roles.${p.role}`)}
                    {showLabs && labNames(p) && ` · ${labNames(p)}`}
                    {p.id === info.settings.last_operator && p.id !== info.operator?.id && ` · ${t("operator.lastTime")}`}
                  </span>
                </label>
              ))}
            </div>
          </fieldset>
        )}
        <p class="form-error" role="alert" data-testid="operator-error">
          {error ?? ""}
        </p>
      </form>
    </Dialog>
  );
}

function labName(info: SessionInfo, lab: LabId | null): string {
  return info.labs.find((l) => l.id === lab)?.name ?? "";
}
