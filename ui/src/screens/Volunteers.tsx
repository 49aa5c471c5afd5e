import { useId, useState } from "preact/hooks";
import { appErrorOf, call } from "../api/call";
import { useLoad } from "../api/useLoad";
import { useSession } from "../app/session";
import {
  commands,
  type CoverWarning,
  type ErasureReason,
  type Person,
  type VolunteerChange,
  type VolunteerEntry,
  type VolunteerRecord,
  type VolunteerRow,
  type VolunteersView,
} from "../bindings";
import { Button } from "../components/Button";
import { Dialog } from "../components/Dialog";
import { Loaded } from "../components/Loaded";
import { TextField } from "../components/TextField";
import { useToast } from "../components/Toast";
import "../components/widgets.css";
import { useI18n, type Translate } from "../i18n";
import { isIsoDate } from "../lib/dates";

/** The form's fields, as typed (dates as ISO strings, empty when not given). */
export interface EntryForm {
  codiceFiscale: string;
  birthPlace: string;
  birthDate: string;
  residence: string;
  start: string;
  end: string;
  occasional: boolean;
  insuranceFrom: string;
  insuranceTo: string;
}

/** The form for `record` (an empty form when there is none yet). */
export function formOf(record: VolunteerRecord | null): EntryForm {
  return {
    codiceFiscale: record?.codice_fiscale ?? "",
    birthPlace: record?.birth_place ?? "",
    birthDate: record?.birth_date ?? "",
    residence: record?.residence ?? "",
    start: record?.start ?? "",
    end: record?.end ?? "",
    occasional: record?.occasional ?? false,
    insuranceFrom: record?.insurance_from ?? "",
    insuranceTo: record?.insurance_to ?? "",
  };
}

const dateOrNull = (s: string) => (isIsoDate(s.trim()) ? s.trim() : null);

/**
 * The `VolunteerEntry` the form describes. The Rust side checks it all
 * (the codice fiscale's check character among it) and names a wrong field.
 */
export function entryOf(form: EntryForm): VolunteerEntry {
  return {
    codice_fiscale: form.codiceFiscale.trim(),
    birth_place: form.birthPlace.trim(),
    birth_date: dateOrNull(form.birthDate),
    residence: form.residence.trim(),
    start: dateOrNull(form.start),
    end: dateOrNull(form.end),
    occasional: form.occasional,
    insurance_from: dateOrNull(form.insuranceFrom),
    insurance_to: dateOrNull(form.insuranceTo),
  };
}

/** What the form lacks before it is worth sending, per field. */
export function formErrors(form: EntryForm, t: Translate): Partial<Record<keyof EntryForm, string>> {
  const errors: Partial<Record<keyof EntryForm, string>> = {};
  if (form.residence.trim() === "") errors.residence = t("volunteers.form.residenceRequired");
  if (!isIsoDate(form.start.trim())) errors.start = t("volunteers.form.startRequired");
  if (form.codiceFiscale.trim() === "" && (form.birthPlace.trim() === "" || !isIsoDate(form.birthDate.trim()))) {
    errors.birthPlace = t("volunteers.form.birthRequired");
  }
  return errors;
}

const fullName = (p: Person) => `${p.last_name} ${p.first_name}`;

/**
 * Registro dei volontari (CTS art. 17): the entries of this device's
 * organisation, each entry's history, the meetings led without cover, and
 * the yearly register. Coordinators (`keep_volunteers_register`) enrolled
 * for an organisation; the others are told how to get there.
 */
export function Volunteers() {
  const { t } = useI18n();
  const toast = useToast();
  const loaded = useLoad(() => call(commands.volunteersView()), [], { onError: toast.error });
  return (
    <div data-testid="screen-volunteers">
      <h1>{t("sections.volunteers")}</h1>
      <Loaded load={loaded}>
        {(view) =>
          view.organisation ? (
            <>
              <p class="lede">{t("volunteers.lede")}</p>
              <p data-testid="volunteers-organisation">{t("volunteers.organisation", { name: view.organisation.name })}</p>
              <Entries view={view} reload={loaded.reload} />
              <RetentionDue view={view} reload={loaded.reload} />
              <Erased view={view} />
              <Warnings view={view} />
              <Export />
            </>
          ) : (
            <p class="muted" data-testid="volunteers-no-organisation">
              {t("volunteers.noOrganisation")}
            </p>
          )
        }
      </Loaded>
    </div>
  );
}

function Entries({ view, reload }: { view: VolunteersView; reload: () => Promise<void> }) {
  const { t, formatDate } = useI18n();
  const headingId = `volunteers-${useId()}`;
  const [editing, setEditing] = useState<VolunteerRow | null>(null);
  const [history, setHistory] = useState<VolunteerRow | null>(null);
  const [erasing, setErasing] = useState<VolunteerRow | null>(null);
  const erasedIds = new Set(view.erased.map((e) => e.person));
  const toast = useToast();
  const access = async (row: VolunteerRow) => {
    try {
      const saved = await call(commands.volunteerAccess(row.person.id));
      if (saved) toast.success(t("volunteers.access.saved", { paths: saved.paths.join(", ") }));
    } catch (err) {
      toast.error(appErrorOf(err) ?? err);
    }
  };
  const period = (start: string | null, end: string | null) =>
    start === null
      ? ""
      : end === null
        ? t("volunteers.list.from", { start: formatDate(start) })
        : t("volunteers.list.fromTo", { start: formatDate(start), end: formatDate(end) });
  return (
    <section class="page-section" aria-labelledby={headingId}>
      <h2 id={headingId}>{t("volunteers.list.title")}</h2>
      {view.rows.length === 0 ? (
        <p class="muted">{t("volunteers.list.none")}</p>
      ) : (
        <div class="table-wrap">
          <table class="data-table" data-testid="volunteers-table">
            <thead>
              <tr>
                <th scope="col">{t("volunteers.list.name")}</th>
                <th scope="col">{t("volunteers.list.codiceFiscale")}</th>
                <th scope="col">{t("volunteers.list.period")}</th>
                <th scope="col">{t("volunteers.list.insurance")}</th>
                <th scope="col">{t("volunteers.list.section")}</th>
                <th scope="col">
                  <span class="visually-hidden">{t("volunteers.list.edit")}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {view.rows.map((row) => {
                const r = row.record;
                // An erased entry cannot be written again (its document id is the person's).
                const erased = r === null && erasedIds.has(row.person.id);
                return (
                  <tr key={row.person.id} data-testid="volunteer-row">
                    <th scope="row">{fullName(row.person)}</th>
                    <td>
                      {r ? (
                        (r.codice_fiscale ?? "—")
                      ) : (
                        <span class="muted">{t(erased ? "volunteers.list.erased" : "volunteers.list.noEntry")}</span>
                      )}
                    </td>
                    <td>{r ? period(r.start, r.end) : ""}</td>
                    <td>{r ? period(r.insurance_from, r.insurance_to) : ""}</td>
                    <td>{r ? t(r.occasional ? "volunteers.list.occasional" : "volunteers.list.regular") : ""}</td>
                    <td>
                      {!erased && (
                        <Button variant="quiet" onClick={() => setEditing(row)}>
                          {r ? t("volunteers.list.edit") : t("volunteers.list.add")}
                        </Button>
                      )}
                      {r && (
                        <>
                          <Button variant="quiet" onClick={() => setHistory(row)}>
                            {t("volunteers.list.history")}
                          </Button>
                          <Button variant="quiet" onClick={() => void access(row)}>
                            {t("volunteers.list.access")}
                          </Button>
                          <Button variant="quiet" onClick={() => setErasing(row)}>
                            {t("volunteers.list.erase")}
                          </Button>
                        </>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {editing && (
        <EntryDialog
          row={editing}
          onClose={() => setEditing(null)}
          onSaved={async () => {
            setEditing(null);
            await reload();
          }}
        />
      )}
      {history && <HistoryDialog row={history} onClose={() => setHistory(null)} />}
      {erasing && (
        <EraseDialog
          row={erasing}
          onClose={() => setErasing(null)}
          onErased={async () => {
            setErasing(null);
            await reload();
          }}
        />
      )}
    </section>
  );
}

function EntryDialog({ row, onClose, onSaved }: { row: VolunteerRow; onClose: () => void; onSaved: () => Promise<void> }) {
  const { t } = useI18n();
  const toast = useToast();
  const [form, setForm] = useState<EntryForm>(formOf(row.record));
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const errors = formErrors(form, t);
  const set = (k: keyof EntryForm) => (v: string) => setForm((f) => ({ ...f, [k]: v }));
  const name = `${row.person.first_name} ${row.person.last_name}`;

  const save = async () => {
    setTried(true);
    if (Object.keys(errors).length > 0) return;
    setBusy(true);
    try {
      await call(commands.keepVolunteer(row.person.id, entryOf(form)));
      toast.success(t("volunteers.form.saved"));
      await onSaved();
    } catch (err) {
      toast.error(appErrorOf(err) ?? err);
    } finally {
      setBusy(false);
    }
  };

  const date = (k: keyof EntryForm, label: string) => (
    <TextField type="date" label={label} value={form[k] as string} onValueChange={set(k)} error={tried ? errors[k] : undefined} />
  );
  return (
    <Dialog
      open
      title={row.record ? t("volunteers.form.titleEdit", { name }) : t("volunteers.form.titleNew", { name })}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>{t("volunteers.form.cancel")}</Button>
          <Button variant="primary" busy={busy} onClick={() => void save()}>
            {t("volunteers.form.submit")}
          </Button>
        </>
      }
    >
      <form class="form-grid" noValidate data-testid="volunteer-form" onSubmit={(e) => (e.preventDefault(), void save())}>
        <TextField
          label={t("volunteers.form.codiceFiscale")}
          hint={t("volunteers.form.codiceFiscaleHint")}
          value={form.codiceFiscale}
          maxLength={20}
          onValueChange={set("codiceFiscale")}
        />
        <TextField
          label={t("volunteers.form.birthPlace")}
          value={form.birthPlace}
          onValueChange={set("birthPlace")}
          error={tried ? errors.birthPlace : undefined}
        />
        {date("birthDate", t("volunteers.form.birthDate"))}
        <TextField
          label={t("volunteers.form.residence")}
          value={form.residence}
          required
          onValueChange={set("residence")}
          error={tried ? errors.residence : undefined}
        />
        {date("start", t("volunteers.form.start"))}
        {date("end", t("volunteers.form.end"))}
        <label class="choice">
          <input
            type="checkbox"
            checked={form.occasional}
            onChange={(e) => setForm((f) => ({ ...f, occasional: (e.currentTarget as HTMLInputElement).checked }))}
          />
          {t("volunteers.form.occasional")}
        </label>
        {date("insuranceFrom", t("volunteers.form.insuranceFrom"))}
        {date("insuranceTo", t("volunteers.form.insuranceTo"))}
      </form>
    </Dialog>
  );
}

/** The reasons a coordinator may give for erasing an entry by hand. */
const HAND_REASONS = ["request", "withdrawal", "other"] as const satisfies readonly ErasureReason[];

const REASON_KEYS = {
  request: "volunteers.erase.reasonRequest",
  withdrawal: "volunteers.erase.reasonWithdrawal",
  retention: "volunteers.erase.reasonRetention",
  other: "volunteers.erase.reasonOther",
} as const satisfies Record<ErasureReason, string>;

/** Erasing one entry, after saying what it does and what the law keeps. */
function EraseDialog({ row, onClose, onErased }: { row: VolunteerRow; onClose: () => void; onErased: () => Promise<void> }) {
  const { t } = useI18n();
  const toast = useToast();
  const [reason, setReason] = useState<ErasureReason>("request");
  const [busy, setBusy] = useState(false);
  const name = `${row.person.first_name} ${row.person.last_name}`;
  const erase = async () => {
    setBusy(true);
    try {
      await call(commands.eraseVolunteer(row.person.id, reason));
      toast.success(t("volunteers.erase.done", { name }));
      await onErased();
    } catch (err) {
      toast.error(appErrorOf(err) ?? err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      open
      title={t("volunteers.erase.title", { name })}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>{t("volunteers.erase.cancel")}</Button>
          <Button variant="danger" busy={busy} onClick={() => void erase()} data-testid="volunteer-erase-confirm">
            {t("volunteers.erase.confirm")}
          </Button>
        </>
      }
    >
      <p>{t("volunteers.erase.intro")}</p>
      <p>{t("volunteers.erase.law")}</p>
      <fieldset data-testid="volunteer-erase-reason">
        <legend>{t("volunteers.erase.reason")}</legend>
        {HAND_REASONS.map((r) => (
          <label class="choice" key={r}>
            <input type="radio" name="erase-reason" checked={reason === r} onChange={() => setReason(r)} />
            {t(REASON_KEYS[r])}
          </label>
        ))}
      </fieldset>
    </Dialog>
  );
}

/** The entries past the project's retention after their end, to erase. */
function RetentionDue({ view, reload }: { view: VolunteersView; reload: () => Promise<void> }) {
  const { t, formatDate } = useI18n();
  const toast = useToast();
  const headingId = `retention-${useId()}`;
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const names = new Map(view.rows.map((r) => [r.person.id, `${r.person.first_name} ${r.person.last_name}`]));
  const toggle = (id: string) =>
    setChosen((c) => {
      const next = new Set(c);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const erase = async () => {
    setBusy(true);
    try {
      const done = await call(commands.eraseVolunteersDue([...chosen]));
      toast.success(t("volunteers.retention.done", { count: String(done.length) }));
      setChosen(new Set());
      setConfirming(false);
      await reload();
    } catch (err) {
      toast.error(appErrorOf(err) ?? err);
      setConfirming(false);
      await reload();
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="page-section" aria-labelledby={headingId} data-testid="volunteers-retention">
      <h2 id={headingId}>{t("volunteers.retention.title")}</h2>
      <p class="muted">{t("volunteers.retention.lede", { years: String(view.retention_years) })}</p>
      {view.due.length === 0 ? (
        <p class="muted">{t("volunteers.retention.none")}</p>
      ) : (
        <>
          <ul>
            {view.due.map((d) => {
              const name = names.get(d.person) ?? d.person;
              return (
                <li key={d.person}>
                  <label class="choice">
                    <input
                      type="checkbox"
                      aria-label={t("volunteers.retention.choose", { name })}
                      checked={chosen.has(d.person)}
                      onChange={() => toggle(d.person)}
                    />
                    {t("volunteers.retention.item", { name, end: formatDate(d.end), years: String(d.years_since_end) })}
                  </label>
                </li>
              );
            })}
          </ul>
          <Button variant="danger" disabled={chosen.size === 0} onClick={() => setConfirming(true)}>
            {t("volunteers.retention.submit")}
          </Button>
        </>
      )}
      {confirming && (
        <Dialog
          open
          title={t("volunteers.retention.submit")}
          onClose={() => setConfirming(false)}
          footer={
            <>
              <Button onClick={() => setConfirming(false)}>{t("volunteers.erase.cancel")}</Button>
              <Button variant="danger" busy={busy} onClick={() => void erase()} data-testid="volunteers-retention-confirm">
                {t("volunteers.erase.confirm")}
              </Button>
            </>
          }
        >
          <p>{t("volunteers.retention.confirm", { count: String(chosen.size) })}</p>
        </Dialog>
      )}
    </section>
  );
}

/** What is left of erased entries: who, when, why. */
function Erased({ view }: { view: VolunteersView }) {
  const { t, formatDate } = useI18n();
  const headingId = `erased-${useId()}`;
  if (view.erased.length === 0) return null;
  const names = new Map(view.rows.map((r) => [r.person.id, fullName(r.person)]));
  return (
    <section class="page-section" aria-labelledby={headingId}>
      <h2 id={headingId}>{t("volunteers.erased.title")}</h2>
      <ul data-testid="volunteers-erased">
        {view.erased.map((e) => (
          <li key={e.person}>
            {t("volunteers.erased.item", {
              name: names.get(e.person) ?? e.person,
              date: formatDate(e.at.slice(0, 10)),
              reason: t(REASON_KEYS[e.reason]),
            })}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** "residenza: «Via Roma 1» → «Via Roma 2»" for one field of a change. */
export function changeText(f: VolunteerChange["fields"][number], t: Translate): string {
  const known = f.field in FIELD_KEYS ? t(FIELD_KEYS[f.field as keyof typeof FIELD_KEYS]) : f.field;
  const shown = (v: string) => (v === "" ? t("volunteers.history.empty") : v);
  return t("volunteers.history.change", { field: known, before: shown(f.before), after: shown(f.after) });
}

const FIELD_KEYS = {
  codice_fiscale: "volunteers.fieldNames.codice_fiscale",
  birth_place: "volunteers.fieldNames.birth_place",
  birth_date: "volunteers.fieldNames.birth_date",
  residence: "volunteers.fieldNames.residence",
  start: "volunteers.fieldNames.start",
  end: "volunteers.fieldNames.end",
  occasional: "volunteers.fieldNames.occasional",
  insurance_from: "volunteers.fieldNames.insurance_from",
  insurance_to: "volunteers.fieldNames.insurance_to",
} as const;

function HistoryDialog({ row, onClose }: { row: VolunteerRow; onClose: () => void }) {
  const { t, formatDate } = useI18n();
  const toast = useToast();
  const loaded = useLoad(() => call(commands.volunteerHistory(row.person.id)), [row.person.id], { onError: toast.error });
  const name = `${row.person.first_name} ${row.person.last_name}`;
  return (
    <Dialog open size="large" title={t("volunteers.history.title", { name })} onClose={onClose}
      footer={<Button onClick={onClose}>{t("volunteers.history.close")}</Button>}>
      <Loaded load={loaded}>
        {(changes) =>
          changes.length === 0 ? (
            <p class="muted">{t("volunteers.history.none")}</p>
          ) : (
            <table class="data-table" data-testid="volunteer-history">
              <thead>
                <tr>
                  <th scope="col">{t("volunteers.history.when")}</th>
                  <th scope="col">{t("volunteers.history.who")}</th>
                  <th scope="col">{t("volunteers.history.what")}</th>
                </tr>
              </thead>
              <tbody>
                {changes.map((c, i) => (
                  <tr key={i}>
                    <td>{`${formatDate(c.at.slice(0, 10))} ${c.at.slice(11, 16)}`}</td>
                    <td>{c.device ? t("volunteers.history.device", { id: c.device.slice(0, 8) }) : "—"}</td>
                    <td>
                      {c.fields.map((f) => (
                        <div key={f.field}>{changeText(f, t)}</div>
                      ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>
    </Dialog>
  );
}

function Warnings({ view }: { view: VolunteersView }) {
  const { t, formatDate } = useI18n();
  const headingId = `warnings-${useId()}`;
  const names = new Map(view.rows.map((r) => [r.person.id, fullName(r.person)]));
  const why = (w: CoverWarning) =>
    w.not_volunteering && w.not_insured
      ? t("volunteers.warnings.both")
      : w.not_volunteering
        ? t("volunteers.warnings.notVolunteering")
        : t("volunteers.warnings.notInsured");
  return (
    <section class="page-section" aria-labelledby={headingId}>
      <h2 id={headingId}>{t("volunteers.warnings.title")}</h2>
      {view.warnings.length === 0 ? (
        <p class="muted">{t("volunteers.warnings.none")}</p>
      ) : (
        <ul data-testid="volunteer-warnings">
          {view.warnings.map((w) => (
            <li key={`${w.meeting}-${w.person}`} role="alert">
              {t("volunteers.warnings.item", { date: formatDate(w.date), name: names.get(w.person) ?? w.person, why: why(w) })}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Export() {
  const { t } = useI18n();
  const toast = useToast();
  const { info } = useSession();
  const headingId = `export-${useId()}`;
  const [year, setYear] = useState(info.today.slice(0, 4));
  const [busy, setBusy] = useState(false);
  const run = async () => {
    const y = Number(year);
    if (!Number.isInteger(y)) return;
    setBusy(true);
    try {
      const saved = await call(commands.exportVolunteersRegister(y));
      if (saved) toast.success(t("volunteers.export.saved", { paths: saved.paths.join(", ") }));
    } catch (err) {
      toast.error(appErrorOf(err) ?? err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="page-section" aria-labelledby={headingId}>
      <h2 id={headingId}>{t("volunteers.export.title")}</h2>
      <p>{t("volunteers.export.lede")}</p>
      <div class="inline-fields">
        <TextField label={t("volunteers.export.year")} inputMode="numeric" maxLength={4} value={year} onValueChange={setYear} />
        <Button variant="primary" busy={busy} onClick={() => void run()}>
          {t("volunteers.export.submit")}
        </Button>
      </div>
    </section>
  );
}
