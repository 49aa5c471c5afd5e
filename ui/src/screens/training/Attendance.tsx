import { useState } from "preact/hooks";
import { appErrorOf, call } from "../../api/call";
import { commands, type Attendee, type PersonId, type PersonTraining, type TrainingSession } from "../../bindings";
import { Button } from "../../components/Button";
import { TextField } from "../../components/TextField";
import { useToast } from "../../components/Toast";
import { useI18n } from "../../i18n";
import { SaveButton } from "../privacy/TrailTable";
import { formErrors, formOf, hhmm, recordFrom, thresholdFrom, type PresenceForm } from "./presence";

/**
 * Who attended one session, and for how long: a row per person on the
 * rosters with the presence tick and, for those present, arrival and
 * departure (or the minutes attended), the share of the session and whether
 * that completed it under the session's threshold (worked out by the Rust
 * side). Those who keep the register also set the session's start and
 * threshold and save its sign-in sheet.
 */
export function Attendance({
  session,
  people,
  keeps,
  toggle,
  reload,
}: {
  session: TrainingSession;
  people: readonly PersonTraining[];
  keeps: boolean;
  toggle: (person: PersonId, present: boolean) => Promise<void>;
  reload: () => Promise<void>;
}) {
  const { t, formatDate } = useI18n();
  const byPerson = new Map(session.attendees.map((a) => [a.person, a]));
  return (
    <fieldset class="fieldset" data-testid="attendance">
      <legend>{t("training.sessions.presenceFor", { title: session.title, date: formatDate(session.date) })}</legend>
      {keeps && (
        <>
          <SessionSettings session={session} reload={reload} />
          <SaveButton
            save={() => call(commands.exportSignInSheet(session.id))}
            saved={(path) => t("training.sessions.signInSaved", { path })}
            data-testid="sign-in-sheet"
          >
            {t("training.sessions.signIn")}
          </SaveButton>
        </>
      )}
      {session.start === null && <p class="muted">{t("training.attendance.noStart")}</p>}
      {people.length === 0 ? (
        <p class="muted">{t("training.people.none")}</p>
      ) : (
        <div class="table-wrap">
          <table class="data-table" data-testid="attendance-table">
            <thead>
              <tr>
                <th scope="col">{t("training.attendance.person")}</th>
                <th scope="col">{t("training.attendance.arrival")}</th>
                <th scope="col">{t("training.attendance.departure")}</th>
                <th scope="col">{t("training.attendance.minutes")}</th>
                <th scope="col">{t("training.attendance.share")}</th>
                <th scope="col">
                  <span class="visually-hidden">{t("training.attendance.save")}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {people.map((p) => (
                <AttendeeRow
                  key={`${p.person}-${JSON.stringify(byPerson.get(p.person)?.record ?? null)}`}
                  session={session}
                  person={p}
                  attendee={byPerson.get(p.person) ?? null}
                  keeps={keeps}
                  toggle={toggle}
                  reload={reload}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </fieldset>
  );
}

function SessionSettings({ session, reload }: { session: TrainingSession; reload: () => Promise<void> }) {
  const { t } = useI18n();
  const toast = useToast();
  const [start, setStart] = useState(hhmm(session.start));
  const [threshold, setThreshold] = useState(String(session.completion_percent));
  const [busy, setBusy] = useState(false);
  const thresholdError = thresholdFrom(threshold) === null ? t("training.attendance.thresholdInvalid") : undefined;
  const startError =
    start.trim() !== "" && formErrors({ arrival: start, departure: "", minutes: "" }).arrival
      ? t("training.attendance.timeInvalid")
      : undefined;

  const save = async () => {
    const completion = thresholdFrom(threshold);
    if (completion === null || startError) return;
    setBusy(true);
    try {
      await call(
        commands.updateTraining(session.id, {
          date: null,
          start: start.trim() === "" ? null : `${start.trim()}:00`,
          title: null,
          minutes: null,
          completion_percent: completion,
        }),
      );
      toast.success(t("training.attendance.settingsSaved"));
      await reload();
    } catch (err) {
      toast.error(appErrorOf(err) ?? err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="inline-fields" data-testid="session-settings">
      <TextField
        type="time"
        label={t("training.attendance.start")}
        hint={t("training.attendance.startHint")}
        value={start}
        onValueChange={setStart}
        error={startError}
      />
      <TextField
        label={t("training.attendance.threshold")}
        hint={t("training.attendance.thresholdHint")}
        inputMode="numeric"
        maxLength={3}
        value={threshold}
        onValueChange={setThreshold}
        error={thresholdError}
      />
      <Button busy={busy} disabled={thresholdError !== undefined || startError !== undefined} onClick={() => void save()}>
        {t("training.attendance.saveSettings")}
      </Button>
    </div>
  );
}

function AttendeeRow({
  session,
  person,
  attendee,
  keeps,
  toggle,
  reload,
}: {
  session: TrainingSession;
  person: PersonTraining;
  attendee: Attendee | null;
  keeps: boolean;
  toggle: (person: PersonId, present: boolean) => Promise<void>;
  reload: () => Promise<void>;
}) {
  const { t } = useI18n();
  const toast = useToast();
  const [form, setForm] = useState<PresenceForm>(formOf(attendee?.record ?? { arrival: null, departure: null, minutes: null }));
  const [busy, setBusy] = useState(false);
  const bad = formErrors(form);
  const name = person.name;
  const set = (field: keyof PresenceForm) => (e: Event) =>
    setForm({ ...form, [field]: (e.currentTarget as HTMLInputElement).value });

  const save = async () => {
    const record = recordFrom(form);
    if (!record) return;
    setBusy(true);
    try {
      await call(commands.recordTrainingTimes(session.id, person.person, record));
      toast.success(t("training.attendance.saved", { name }));
      await reload();
    } catch (err) {
      toast.error(appErrorOf(err) ?? err);
    } finally {
      setBusy(false);
    }
  };

  const present = attendee !== null;
  const r = attendee?.record;
  const nothing = r !== undefined && r.arrival === null && r.departure === null && r.minutes === null;
  return (
    <tr data-testid="attendee-row" data-person={person.person}>
      <th scope="row">
        <label class="choice">
          <input
            type="checkbox"
            checked={present}
            disabled={!keeps}
            onChange={(e) => void toggle(person.person, (e.currentTarget as HTMLInputElement).checked)}
          />
          {name}
        </label>
      </th>
      {present && keeps ? (
        <>
          <td>
            <input
              class="field__input"
              type="time"
              aria-label={t("training.attendance.arrivalFor", { name })}
              aria-invalid={bad.arrival ? "true" : undefined}
              value={form.arrival}
              onInput={set("arrival")}
            />
          </td>
          <td>
            <input
              class="field__input"
              type="time"
              aria-label={t("training.attendance.departureFor", { name })}
              aria-invalid={bad.departure ? "true" : undefined}
              value={form.departure}
              onInput={set("departure")}
            />
          </td>
          <td>
            <input
              class="field__input"
              inputMode="numeric"
              maxLength={4}
              title={t("training.attendance.minutesHint")}
              aria-label={t("training.attendance.minutesFor", { name })}
              aria-invalid={bad.minutes ? "true" : undefined}
              value={form.minutes}
              onInput={set("minutes")}
            />
          </td>
        </>
      ) : (
        <>
          <td>{r ? hhmm(r.arrival) : ""}</td>
          <td>{r ? hhmm(r.departure) : ""}</td>
          <td>{r?.minutes ?? ""}</td>
        </>
      )}
      <td data-testid="attendee-share">
        {attendee && (
          <>
            {t("training.attendance.shareText", { n: attendee.share_percent })}{" "}
            <span class="muted">
              ({t("training.attendance.attended", { attended: attendee.attended_minutes, total: session.minutes })}
              {nothing ? `; ${t("training.attendance.wholeSession")}` : ""})
            </span>{" "}
            {attendee.completed ? (
              <span class="badge badge--success" data-testid="completed-badge">
                {t("training.attendance.completed")}
              </span>
            ) : (
              <span class="badge badge--warning" data-testid="not-completed-badge">
                {t("training.attendance.notCompleted")}
              </span>
            )}
          </>
        )}
      </td>
      <td>
        {present && keeps && (
          <Button
            variant="quiet"
            busy={busy}
            disabled={Object.keys(bad).length > 0}
            aria-label={t("training.attendance.saveFor", { name })}
            onClick={() => void save()}
          >
            {t("training.attendance.save")}
          </Button>
        )}
      </td>
    </tr>
  );
}
