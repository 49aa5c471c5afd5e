import { useId, useRef, useState } from "preact/hooks";
import { appErrorOf, call } from "../api/call";
import { useLoad } from "../api/useLoad";
import { useSession } from "../app/session";
import { commands, type LabId, type NewPerson, type Person, type Role } from "../bindings";
import { Button } from "../components/Button";
import { labName } from "../components/labels";
import { Loaded } from "../components/Loaded";
import { TextField } from "../components/TextField";
import { useToast } from "../components/Toast";
import "../components/widgets.css";
import { useI18n } from "../i18n";

export const ROLES: readonly Role[] = ["operator", "volunteer"];

interface StaffForm {
  first: string;
  last: string;
  role: Role;
  organisation: string;
  phone: string;
  email: string;
  lab: LabId | "";
}

const emptyForm = (lab: LabId | null): StaffForm => ({
  first: "",
  last: "",
  role: "volunteer",
  organisation: "",
  phone: "",
  email: "",
  lab: lab ?? "",
});

/** The `NewPerson` the form describes (trimmed). */
export function newPersonFrom(form: StaffForm, lab: LabId): NewPerson {
  return {
    lab,
    first_name: form.first.trim(),
    last_name: form.last.trim(),
    role: form.role,
    organisation: form.organisation.trim(),
    phone: form.phone.trim(),
    email: form.email.trim(),
  };
}

/**
 * Operatori e volontari: the roster of the current lab (or of all labs) and
 * a form to add someone.
 */
export function People() {
  const { t } = useI18n();
  const toast = useToast();
  const { info } = useSession();
  const [allLabs, setAllLabs] = useState(info.lab === null);
  const lab = allLabs ? null : info.lab;
  const roster = useLoad(() => call(commands.listStaff(lab)), [lab], { onError: toast.error });

  const headingId = `roster-${useId()}`;
  return (
    <div data-testid="screen-people">
      <h1>{t("sections.people")}</h1>
      <p class="lede">
        {lab === null ? t("people.allLabsLede") : t("people.labLede", { lab: labName(info.labs, lab) })}
      </p>
      <section class="page-section" aria-labelledby={headingId}>
        <h2 id={headingId}>{t("people.roster")}</h2>
        <div class="toolbar">
          {info.labs.length > 1 && info.lab !== null && (
            <label class="choice">
              <input
                type="checkbox"
                data-testid="people-all-labs"
                checked={allLabs}
                onChange={(e) => setAllLabs((e.currentTarget as HTMLInputElement).checked)}
              />
              {t("people.allLabs")}
            </label>
          )}
          <span class="muted" role="status">
            {roster.data ? t("counts.people", { n: roster.data.length }) : ""}
          </span>
        </div>
        <Loaded load={roster}>
          {(staff) =>
            staff.length === 0 ? <p class="muted">{t("people.empty")}</p> : <Roster staff={staff} lab={lab} />
          }
        </Loaded>
      </section>
      <AddStaff onAdded={roster.reload} />
    </div>
  );
}

/** The roster's table; a column of labs when it spans them all. */
function Roster({ staff, lab }: { staff: Person[]; lab: LabId | null }) {
  const { t } = useI18n();
  const { info } = useSession();
  return (
    <div class="table-wrap">
      <table class="data-table" data-testid="people-table">
        <thead>
          <tr>
            <th scope="col">{t("people.code")}</th>
            <th scope="col">{t("people.name")}</th>
            <th scope="col">{t("people.role")}</th>
            <th scope="col">{t("people.organisation")}</th>
            <th scope="col">{t("people.phone")}</th>
            {lab === null && <th scope="col">{t("people.labs")}</th>}
          </tr>
        </thead>
        <tbody>
          {staff.map((p) => (
            <tr key={p.id}>
              <td class="code">{p.code}</td>
              <th scope="row">
                {p.last_name} {p.first_name}
              </th>
              <td>{t(`people.roles.${p.role}`)}</td>
              <td>{p.organisation || "—"}</td>
              <td>{p.phone || "—"}</td>
              {lab === null && <td>{p.labs.map((l) => labName(info.labs, l)).join(", ") || "—"}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function AddStaff({ onAdded }: { onAdded: () => Promise<void> }) {
  const { t } = useI18n();
  const toast = useToast();
  const { info } = useSession();
  const headingId = `add-staff-${useId()}`;
  const defaultLab = info.lab ?? info.labs[0]?.id ?? null;
  const [form, setForm] = useState<StaffForm>(() => emptyForm(defaultLab));
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [serverField, setServerField] = useState<string | null>(null);
  const firstRef = useRef<HTMLElement>(null);
  const set = (patch: Partial<StaffForm>) => setForm((f) => ({ ...f, ...patch }));

  const errors = {
    first: form.first.trim() === "" ? t("people.form.firstRequired") : undefined,
    last: form.last.trim() === "" ? t("people.form.lastRequired") : undefined,
  };
  const fieldError = (name: "first_name" | "last_name" | "organisation") =>
    serverField === `person.${name}` ? t("people.form.checkField") : undefined;

  const submit = async (event: Event) => {
    event.preventDefault();
    setTried(true);
    setServerField(null);
    if (errors.first || errors.last || form.lab === "") {
      firstRef.current?.focus();
      return;
    }
    setBusy(true);
    try {
      await call(commands.addStaff(newPersonFrom(form, form.lab)));
      toast.success(t("people.form.added", { name: `${form.first.trim()} ${form.last.trim()}` }));
      setForm(emptyForm(form.lab));
      setTried(false);
      await onAdded();
      firstRef.current?.focus();
    } catch (err) {
      const e = appErrorOf(err);
      if (e?.kind === "invalid") setServerField(e.field);
      toast.error(appErrorOf(err) ?? err);
    } finally {
      setBusy(false);
    }
  };

  if (defaultLab === null) return null;
  return (
    <section class="page-section" aria-labelledby={headingId}>
      <h2 id={headingId}>{t("people.form.title")}</h2>
      <form class="panel" noValidate onSubmit={(e) => void submit(e)} data-testid="add-staff">
        <div class="form-grid">
          <TextField
            label={t("people.form.firstName")}
            value={form.first}
            required
            inputRef={firstRef}
            autoComplete="off"
            onValueChange={(first) => set({ first })}
            error={(tried ? errors.first : undefined) ?? fieldError("first_name")}
          />
          <TextField
            label={t("people.form.lastName")}
            value={form.last}
            required
            autoComplete="off"
            onValueChange={(last) => set({ last })}
            error={(tried ? errors.last : undefined) ?? fieldError("last_name")}
          />
          <fieldset class="fieldset">
            <legend>{t("people.role")}</legend>
            <div class="choices">
              {ROLES.map((role) => (
                <label class="choice" key={role}>
                  <input type="radio" name="staff-role" checked={form.role === role} onChange={() => set({ role })} />
                  {t(`people.roles.${role}`)}
                </label>
              ))}
            </div>
          </fieldset>
          <TextField
            label={t("people.organisation")}
            hint={t("people.form.organisationHint")}
            value={form.organisation}
            onValueChange={(organisation) => set({ organisation })}
            error={fieldError("organisation")}
          />
          <TextField
            label={t("people.phone")}
            type="tel"
            autoComplete="off"
            value={form.phone}
            onValueChange={(phone) => set({ phone })}
          />
          <TextField
            label={t("people.form.email")}
            type="email"
            autoComplete="off"
            value={form.email}
            onValueChange={(email) => set({ email })}
          />
          {info.labs.length > 1 && (
            <label class="inline-field">
              <span>{t("people.form.lab")}</span>
              <select
                class="select"
                value={form.lab}
                onChange={(e) => set({ lab: (e.currentTarget as HTMLSelectElement).value })}
              >
                {info.labs.map((l) => (
                  <option key={l.id} value={l.id}>
                    {labName(info.labs, l.id)}
                  </option>
                ))}
              </select>
            </label>
          )}
        </div>
        <Button type="submit" variant="primary" busy={busy}>
          {t("people.form.submit")}
        </Button>
      </form>
    </section>
  );
}
