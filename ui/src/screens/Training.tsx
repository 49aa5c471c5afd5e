import { useId, useRef, useState } from "preact/hooks";
import { appErrorOf, call } from "../api/call";
import { useLoad } from "../api/useLoad";
import { useSession } from "../app/session";
import {
  commands,
  type NewTraining,
  type PersonId,
  type PersonTraining,
  type TrainingRegister,
  type TrainingSession,
} from "../bindings";
import { Button } from "../components/Button";
import { Loaded } from "../components/Loaded";
import { ProgressBar } from "../components/ProgressBar";
import { TextField } from "../components/TextField";
import { useToast } from "../components/Toast";
import "../components/widgets.css";
import { useI18n, type Translate } from "../i18n";
import { isIsoDate } from "../lib/dates";
import { SaveButton } from "./privacy/TrailTable";
import { Attendance } from "./training/Attendance";
import { formErrors } from "./training/presence";

/** The longest session the Rust side accepts: 24 hours. */
export const MAX_MINUTES = 24 * 60;

/**
 * A duration typed as hours and minutes, in minutes; `null` when it is not
 * whole numbers, minutes are not 0–59, or the total is not 1 minute to 24 hours.
 */
export function toMinutes(hours: string, minutes: string): number | null {
  const h = hours.trim() === "" ? 0 : Number(hours.trim());
  const m = minutes.trim() === "" ? 0 : Number(minutes.trim());
  if (!Number.isInteger(h) || !Number.isInteger(m) || h < 0 || m < 0 || m > 59) return null;
  const total = h * 60 + m;
  return total >= 1 && total <= MAX_MINUTES ? total : null;
}

/** "2 h 30 min", "2 h", "45 min". */
export function durationText(minutes: number, t: Translate): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h > 0 && m > 0) return t("training.duration.hm", { h, m });
  if (h > 0) return t("training.duration.h", { h });
  return t("training.duration.m", { m });
}

/** "12 h 30 min su 20 h": a person's hours against the threshold. */
export function progressText(minutes: number, thresholdHours: number, t: Translate): string {
  return t("training.people.progressText", {
    done: durationText(minutes, t),
    threshold: durationText(thresholdHours * 60, t),
  });
}

/** Newest first, for the list. */
function newestFirst(sessions: readonly TrainingSession[]): TrainingSession[] {
  return [...sessions].sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : 0));
}

/**
 * Formazione: the training sessions (with who attended, editable by those
 * who keep the register: `keep_training_register`) and each person's
 * hours against the threshold that counts as trained.
 */
export function Training() {
  const { t } = useI18n();
  const toast = useToast();
  const { info } = useSession();
  const keeps = info.rights.includes("keep_training_register");
  const loaded = useLoad(() => call(commands.trainingRegister()), [], { onError: toast.error });

  return (
    <div data-testid="screen-training">
      <h1>{t("sections.training")}</h1>
      <Loaded load={loaded}>
        {(register) => (
          <>
            <p class="lede">{t("training.lede", { n: register.threshold_hours })}</p>
            <PeopleHours register={register} keeps={keeps} />
            <Sessions register={register} reload={loaded.reload} keeps={keeps} />
            {keeps ? (
              <AddSession people={register.people} reload={loaded.reload} />
            ) : (
              <p class="muted" data-testid="training-read-only">
                {t("training.readOnly")}
              </p>
            )}
          </>
        )}
      </Loaded>
    </div>
  );
}

function PeopleHours({ register, keeps }: { register: TrainingRegister; keeps: boolean }) {
  const { t } = useI18n();
  const headingId = `hours-${useId()}`;
  const trained = register.people.filter((p) => p.trained).length;
  return (
    <section class="page-section" aria-labelledby={headingId}>
      <h2 id={headingId}>{t("training.people.title")}</h2>
      {register.people.length === 0 ? (
        <p class="muted">{t("training.people.none")}</p>
      ) : (
        <>
          <p>{t("training.people.trainedCount", { n: trained, total: register.people.length })}</p>
          <div class="table-wrap">
            <table class="data-table" data-testid="training-people">
              <thead>
                <tr>
                  <th scope="col">{t("training.people.name")}</th>
                  <th scope="col">{t("training.people.role")}</th>
                  <th scope="col">{t("training.people.hours")}</th>
                  <th scope="col">{t("training.people.sessions")}</th>
                  {keeps && (
                    <th scope="col">
                      <span class="visually-hidden">{t("training.people.certificate")}</span>
                    </th>
                  )}
                </tr>
              </thead>
              <tbody>
                {register.people.map((p) => (
                  <tr key={p.person} data-testid="training-person">
                    <th scope="row">
                      {p.name}
                      {p.trained && (
                        <span class="badge badge--success" data-testid="trained-badge">
                          {t("training.people.trained")}
                        </span>
                      )}
                    </th>
                    <td>{t(`people.roles.${p.role}`)}</td>
                    <td>
                      <ProgressBar
                        size="small"
                        showText
                        value={p.minutes}
                        max={register.threshold_hours * 60}
                        label={t("training.people.progressLabel", { name: p.name })}
                        valueText={progressText(p.minutes, register.threshold_hours, t)}
                      />
                    </td>
                    <td data-testid="sessions-completed">
                      {t("training.people.sessionsText", { completed: p.sessions_completed, attended: p.sessions })}
                    </td>
                    {keeps && (
                      <td>
                        <SaveButton
                          save={() => call(commands.exportTrainingCertificate(p.person))}
                          saved={(path) => t("training.people.certificateSaved", { path })}
                          title={t("training.people.certificateFor", { name: p.name })}
                          data-testid="certificate"
                        >
                          {t("training.people.certificate")}
                        </SaveButton>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

function Sessions({
  register,
  reload,
  keeps,
}: {
  register: TrainingRegister;
  reload: () => Promise<void>;
  /** Whether this device may record who attended. */
  keeps: boolean;
}) {
  const { t, formatDate } = useI18n();
  const toast = useToast();
  const headingId = `sessions-${useId()}`;
  const [open, setOpen] = useState<string | null>(null);
  const sessions = newestFirst(register.sessions);

  const toggle = async (session: TrainingSession, person: PersonId, present: boolean) => {
    // The minutes and the verdict come back from the Rust side on reload.
    try {
      await call(commands.setTrainingPresence(session.id, person, present));
    } catch (err) {
      toast.error(appErrorOf(err) ?? err);
    }
    await reload();
  };

  return (
    <section class="page-section" aria-labelledby={headingId}>
      <h2 id={headingId}>{t("training.sessions.title")}</h2>
      {sessions.length === 0 ? (
        <p class="muted">{t("training.sessions.none")}</p>
      ) : (
        <div class="table-wrap">
          <table class="data-table" data-testid="training-sessions">
            <thead>
              <tr>
                <th scope="col">{t("training.sessions.date")}</th>
                <th scope="col">{t("training.sessions.titleColumn")}</th>
                <th scope="col">{t("training.sessions.duration")}</th>
                <th scope="col" class="num">
                  {t("training.sessions.attendees")}
                </th>
                <th scope="col">
                  <span class="visually-hidden">{t("training.sessions.presence")}</span>
                </th>
              </tr>
            </thead>
            {sessions.map((s) => {
              const panelId = `${headingId}-${s.id}`;
              const isOpen = open === s.id;
              return (
                <tbody key={s.id}>
                  <tr data-testid="training-session">
                    <td>{formatDate(s.date)}</td>
                    <th scope="row">{s.title}</th>
                    <td>{durationText(s.minutes, t)}</td>
                    <td class="num">{s.attendees.length}</td>
                    <td>
                      <Button
                        variant="quiet"
                        aria-expanded={isOpen ? "true" : "false"}
                        aria-controls={panelId}
                        onClick={() => setOpen(isOpen ? null : s.id)}
                      >
                        {isOpen ? t("training.sessions.hidePresence") : t("training.sessions.presence")}
                      </Button>
                    </td>
                  </tr>
                  {isOpen && (
                    <tr id={panelId}>
                      <td colSpan={5}>
                        <Attendance
                          session={s}
                          people={register.people}
                          keeps={keeps}
                          toggle={(person, present) => toggle(s, person, present)}
                          reload={reload}
                        />
                      </td>
                    </tr>
                  )}
                </tbody>
              );
            })}
          </table>
        </div>
      )}
    </section>
  );
}

/** The `NewTraining` the form describes, or `null` while it is not complete. */
export function newTrainingFrom(form: {
  date: string;
  start: string;
  title: string;
  hours: string;
  minutes: string;
  attendees: ReadonlySet<PersonId>;
}): NewTraining | null {
  const minutes = toMinutes(form.hours, form.minutes);
  const start = form.start.trim();
  if (!isIsoDate(form.date) || form.title.trim() === "" || minutes === null) return null;
  if (start !== "" && formErrors({ arrival: start, departure: "", minutes: "" }).arrival) return null;
  return {
    date: form.date,
    start: start === "" ? null : `${start}:00`,
    title: form.title.trim(),
    minutes,
    completion_percent: null,
    attendees: [...form.attendees],
  };
}

function AddSession({ people, reload }: { people: PersonTraining[]; reload: () => Promise<void> }) {
  const { t } = useI18n();
  const toast = useToast();
  const { info } = useSession();
  const headingId = `add-training-${useId()}`;
  const [date, setDate] = useState(info.today);
  const [start, setStart] = useState("");
  const [title, setTitle] = useState("");
  const [hours, setHours] = useState("2");
  const [minutes, setMinutes] = useState("0");
  const [attendees, setAttendees] = useState<ReadonlySet<PersonId>>(new Set());
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const titleRef = useRef<HTMLElement>(null);

  const errors = {
    date: isIsoDate(date) ? undefined : t("training.form.dateInvalid"),
    title: title.trim() === "" ? t("training.form.titleRequired") : undefined,
    duration: toMinutes(hours, minutes) === null ? t("training.form.durationInvalid") : undefined,
    start:
      start.trim() !== "" && formErrors({ arrival: start, departure: "", minutes: "" }).arrival
        ? t("training.attendance.timeInvalid")
        : undefined,
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    setTried(true);
    const training = newTrainingFrom({ date, start, title, hours, minutes, attendees });
    if (!training) return;
    setBusy(true);
    try {
      await call(commands.addTraining(training));
      toast.success(t("training.form.added"));
      setTitle("");
      setAttendees(new Set());
      setTried(false);
      await reload();
      titleRef.current?.focus();
    } catch (err) {
      toast.error(appErrorOf(err) ?? err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="page-section" aria-labelledby={headingId}>
      <h2 id={headingId}>{t("training.form.title")}</h2>
      <form class="panel" noValidate onSubmit={(e) => void submit(e)} data-testid="add-training">
        <div class="form-grid">
          <TextField
            type="date"
            label={t("training.form.date")}
            value={date}
            required
            onValueChange={setDate}
            error={tried ? errors.date : undefined}
          />
          <TextField
            type="time"
            label={t("training.form.start")}
            value={start}
            onValueChange={setStart}
            error={tried ? errors.start : undefined}
          />
          <TextField
            label={t("training.form.titleField")}
            value={title}
            required
            inputRef={titleRef}
            onValueChange={setTitle}
            error={tried ? errors.title : undefined}
          />
          <fieldset class="fieldset">
            <legend>{t("training.form.duration")}</legend>
            <div class="inline-fields">
              <TextField
                label={t("training.form.hours")}
                inputMode="numeric"
                value={hours}
                maxLength={2}
                onValueChange={setHours}
              />
              <TextField
                label={t("training.form.minutes")}
                inputMode="numeric"
                value={minutes}
                maxLength={2}
                onValueChange={setMinutes}
                error={tried ? errors.duration : undefined}
              />
            </div>
          </fieldset>
        </div>
        {people.length > 0 && (
          <fieldset class="fieldset">
            <legend>{t("training.form.attendees")}</legend>
            <div class="choices">
              {people.map((p) => (
                <label class="choice" key={p.person}>
                  <input
                    type="checkbox"
                    checked={attendees.has(p.person)}
                    onChange={(e) => {
                      const on = (e.currentTarget as HTMLInputElement).checked;
                      setAttendees((set) => {
                        const next = new Set(set);
                        if (on) next.add(p.person);
                        else next.delete(p.person);
                        return next;
                      });
                    }}
                  />
                  {p.name}
                </label>
              ))}
            </div>
          </fieldset>
        )}
        <Button type="submit" variant="primary" busy={busy}>
          {t("training.form.submit")}
        </Button>
      </form>
    </section>
  );
}
