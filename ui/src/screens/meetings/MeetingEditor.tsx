import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { appErrorOf, call } from "../../api/call";
import { errorMessage } from "../../api/errors";
import {
  commands,
  type FamilyPresence,
  type HouseholdHit,
  type HouseholdId,
  type MeetingDetail,
  type MeetingId,
  type MeetingPatch,
  type MemberPresence,
  type Person,
  type PersonId,
  type Registered,
} from "../../bindings";
import { Button } from "../../components/Button";
import { NewFamilyDialog } from "../../components/NewFamilyDialog";
import { SelectField } from "../../components/SelectField";
import { Spinner } from "../../components/Spinner";
import { TextField } from "../../components/TextField";
import { useToast } from "../../components/Toast";
import { useSession } from "../../app/session";
import { useI18n, type Translate } from "../../i18n";
import { isIsoDate, toIsoDate, type IsoDate } from "../../lib/dates";
import { AttendanceSearch } from "./AttendanceSearch";
import { parseTime, rememberTimes } from "./lastTimes";
import { SaveQueue, type SaveSnapshot } from "./saveQueue";
import { hhmm } from "./week";

/**
 * How long typing in the theme or the notes waits before saving: a burst of
 * keystrokes becomes one save, and the last one is saved within ~200 ms.
 */
export const TEXT_SAVE_DELAY_MS = 150;

const NO_CHANGE: MeetingPatch = {
  date: null,
  start: null,
  end: null,
  activity: null,
  theme: null,
  facilitators: null,
  guests: null,
  notes: null,
};

/** A patch that changes only the fields given. */
export function patchOf(fields: Partial<MeetingPatch>): MeetingPatch {
  return { ...NO_CHANGE, ...fields };
}

/** A value the screen refused to send: its message is shown as is. */
export class LocalInvalid {
  constructor(readonly message: string) {}
}

/** What the fields show: the user's text, even when it cannot be saved. */
interface Values {
  date: string;
  start: string;
  end: string;
  activity: string;
  theme: string;
  facilitators: PersonId[];
  guests: string;
  notes: string;
}

type TimeField = "start" | "end";

/** `2026-11-25`, or `25/11/2026` typed where the webview shows a plain text box. */
export function parseDate(text: string): IsoDate | null {
  const v = text.trim();
  if (isIsoDate(v)) return v;
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(v);
  if (!m) return null;
  const iso = toIsoDate({ year: Number(m[3]), month: Number(m[2]), day: Number(m[1]) });
  return isIsoDate(iso) ? iso : null;
}

function useSaveSnapshot(queue: SaveQueue): SaveSnapshot {
  const [snapshot, setSnapshot] = useState(queue.snapshot());
  useEffect(() => {
    setSnapshot(queue.snapshot());
    return queue.subscribe(setSnapshot);
  }, [queue]);
  return snapshot;
}

export interface MeetingEditorProps {
  id: MeetingId;
  /** Where focus goes once loaded: the theme (a new meeting) or the title. */
  autoFocus: "theme" | "heading";
  /** Back to the week of `date` (the meeting's, possibly just changed). */
  onClose: (date: IsoDate) => void;
}

/**
 * A meeting's page. Every change is saved as it is made, one command at a
 * time (see `saveQueue.ts`), each with only the field that changed; the
 * status next to the title says "Salvataggio…", "Salvato" or what went
 * wrong, and a refused value stays in its field with the reason beside it.
 */
export function MeetingEditor({ id, autoFocus, onClose }: MeetingEditorProps) {
  const { t, lang, formatLongDate } = useI18n();
  const toast = useToast();
  const { info } = useSession();
  const [detail, setDetail] = useState<MeetingDetail | null>(null);
  const [failed, setFailed] = useState(false);
  const [values, setValues] = useState<Values | null>(null);
  const [families, setFamilies] = useState<FamilyPresence[]>([]);
  const [staff, setStaff] = useState<Person[] | null>(null);
  const [newFamilyOpen, setNewFamilyOpen] = useState(false);
  const [announcement, setAnnouncement] = useState("");
  const queue = useMemo(() => new SaveQueue(), [id]);
  const save = useSaveSnapshot(queue);
  const heading = useRef<HTMLHeadingElement>(null);
  const themeInput = useRef<HTMLElement>(null);
  const familiesBox = useRef<HTMLDivElement>(null);
  /** The time field last edited: where a refused time's message goes. */
  const lastTimeField = useRef<TimeField>("end");
  /** The times the Rust side has (or is about to have); null after a failed save. */
  const sentTimes = useRef<{ start: string; end: string } | null>(null);
  /** A family just added: its first checkbox gets focus once rendered. */
  const focusFamily = useRef<HouseholdId | null>(null);
  const valuesRef = useRef(values);
  valuesRef.current = values;

  // Load the meeting, then the lab's staff for the facilitators.
  useEffect(() => {
    let gone = false;
    setDetail(null);
    setFailed(false);
    (async () => {
      try {
        const d = await call(commands.getMeeting(id));
        if (gone) return;
        const m = d.meeting;
        setDetail(d);
        setFamilies(d.families);
        sentTimes.current = { start: hhmm(m.start), end: hhmm(m.end) };
        setValues({
          date: m.date,
          start: hhmm(m.start),
          end: hhmm(m.end),
          activity: m.activity,
          theme: m.theme,
          facilitators: [...m.facilitators],
          guests: String(m.guests),
          notes: m.notes,
        });
        const people = await call(commands.listStaff(m.lab));
        if (!gone) setStaff(people);
      } catch (err) {
        if (gone) return;
        setFailed(true);
        toast.error(err);
      }
    })();
    return () => {
      gone = true;
    };
  }, [id, toast]);

  // Leaving the page: what is still waiting is sent now.
  useEffect(() => () => void queue.flush(), [queue]);

  // Once loaded: focus where the user will type.
  const loaded = detail !== null;
  useEffect(() => {
    if (!loaded) return;
    if (autoFocus === "theme") themeInput.current?.focus();
    else heading.current?.focus();
  }, [loaded]);

  // A family just added: its first checkbox.
  useEffect(() => {
    const fid = focusFamily.current;
    if (!fid || !familiesBox.current) return;
    const block = familiesBox.current.querySelector<HTMLElement>(`[data-family="${fid}"]`);
    if (!block) return;
    focusFamily.current = null;
    (block.querySelector<HTMLElement>("input") ?? block).focus();
  });

  const send = (key: string, fields: Partial<MeetingPatch>, delayMs = 0) =>
    queue.enqueue(key, () => call(commands.updateMeeting(id, patchOf(fields))), delayMs);

  const update = (changes: Partial<Values>) => setValues((v) => (v ? { ...v, ...changes } : v));

  const onDate = (text: string) => {
    update({ date: text });
    const date = parseDate(text);
    if (date === null) queue.markInvalid("date", new LocalInvalid(t("meetings.editor.badDate")));
    else send("date", { date });
  };

  const onTime = (field: TimeField, text: string) => {
    const current = valuesRef.current;
    if (!current) return;
    lastTimeField.current = field;
    const next = { start: current.start, end: current.end, [field]: text };
    update({ [field]: text });
    const start = parseTime(next.start);
    const end = parseTime(next.end);
    if (start === null || end === null) {
      queue.markInvalid("time", new LocalInvalid(t("meetings.editor.badTime")));
      return;
    }
    if (end <= start) {
      const key = field === "end" ? "meetings.editor.endBeforeStart" : "meetings.editor.startAfterEnd";
      queue.markInvalid("time", new LocalInvalid(t(key)));
      return;
    }
    const sent = sentTimes.current;
    const fields: Partial<MeetingPatch> = {};
    if (sent?.start !== start) fields.start = `${start}:00`;
    if (sent?.end !== end) fields.end = `${end}:00`;
    sentTimes.current = { start, end };
    rememberTimes({ start, end });
    if (fields.start === undefined && fields.end === undefined) {
      queue.clearError("time");
      return;
    }
    queue.enqueue("time", async () => {
      try {
        await call(commands.updateMeeting(id, patchOf(fields)));
      } catch (err) {
        // Not known what the Rust side has now: send both next time.
        sentTimes.current = null;
        throw err;
      }
    });
  };

  const onGuests = (text: string) => {
    update({ guests: text });
    const v = text.trim();
    if (/^\d{1,6}$/.test(v)) send("guests", { guests: Number(v) });
    else queue.markInvalid("guests", new LocalInvalid(t("meetings.editor.badGuests")));
  };

  const onFacilitator = (person: PersonId, on: boolean) => {
    const current = valuesRef.current;
    if (!current) return;
    const set = new Set(current.facilitators);
    if (on) set.add(person);
    else set.delete(person);
    const facilitators = [...set].sort();
    update({ facilitators });
    send("facilitators", { facilitators });
  };

  const onPresence = (family: FamilyPresence, member: MemberPresence, present: boolean) => {
    setFamilies((list) =>
      list.map((f) =>
        f.id !== family.id
          ? f
          : { ...f, members: f.members.map((m) => (m.id === member.id ? { ...m, present } : m)) },
      ),
    );
    queue.enqueue(`presence:${member.id}`, () =>
      call(commands.setPresence(id, family.id, member.id, present)),
    );
  };

  const addFamily = async (household: HouseholdId) => {
    if (families.some((f) => f.id === household)) {
      focusFamily.current = household;
      setFamilies((list) => [...list]);
      return;
    }
    try {
      const family = await call(commands.familyForAttendance(household));
      focusFamily.current = family.id;
      setFamilies((list) => (list.some((f) => f.id === family.id) ? list : [family, ...list]));
      setAnnouncement(t("meetings.attendance.added", { code: family.code }));
    } catch (err) {
      toast.error(err);
    }
  };

  const onPick = (hit: HouseholdHit) => void addFamily(hit.merged_into ?? hit.id);

  const onRegistered = (reg: Registered) => {
    setNewFamilyOpen(false);
    toast.success(t("newFamily.registered", { code: reg.code }));
    void addFamily(reg.id);
  };

  const close = () => {
    const date = values ? parseDate(values.date) : null;
    onClose(date ?? detail?.meeting.date ?? info.today);
  };

  const fieldError = (key: string): string | undefined => {
    const err = save.errors.get(key);
    if (err === undefined) return undefined;
    if (err instanceof LocalInvalid) return err.message;
    const e = appErrorOf(err);
    if (e?.kind !== "invalid") return undefined;
    if (key === "time" && (e.field === "meeting.end" || e.field === "meeting.start")) {
      return t(lastTimeField.current === "end" ? "meetings.editor.endBeforeStart" : "meetings.editor.startAfterEnd");
    }
    return errorMessage(err);
  };

  const listed = useMemo(() => new Set(families.map((f) => f.id)), [families]);

  if (!detail || !values) {
    return (
      <section class="editor" aria-busy={failed ? undefined : "true"}>
        <div class="editor__top">
          <Button variant="quiet" onClick={close} data-testid="meeting-close">
            <span aria-hidden="true">← </span>
            {t("meetings.editor.close")}
          </Button>
        </div>
        {!failed && <Spinner label={t("meetings.editor.loading")} />}
      </section>
    );
  }

  const shownDate = parseDate(values.date) ?? detail.meeting.date;
  const activities = info.activity_types.map((a) => ({ value: a.key, label: lang === "en" ? a.label_en : a.label_it }));
  if (!activities.some((a) => a.value === values.activity)) {
    // A type this computer does not know yet (added elsewhere): keep it selectable.
    activities.push({ value: values.activity, label: values.activity });
  }
  const timeError = fieldError("time");

  return (
    <section class="editor" aria-labelledby="meeting-title" data-testid="meeting-editor">
      <div class="editor__top">
        <Button variant="quiet" onClick={close} data-testid="meeting-close">
          <span aria-hidden="true">← </span>
          {t("meetings.editor.close")}
        </Button>
        <h2 id="meeting-title" class="editor__title" tabIndex={-1} ref={heading}>
          {t("meetings.editor.title", { date: formatLongDate(shownDate) })}
        </h2>
        <SaveStatus snapshot={save} t={t} />
      </div>

      <div class="editor__grid">
        <div class="editor__details">
          <div class="editor__when">
            <TextField
              label={t("meetings.editor.date")}
              type="date"
              value={values.date}
              onValueChange={onDate}
              error={fieldError("date")}
              data-testid="meeting-date"
              class="field--date"
            />
            <TextField
              label={t("meetings.editor.start")}
              type="time"
              value={values.start}
              onValueChange={(v) => onTime("start", v)}
              error={lastTimeField.current === "start" ? timeError : undefined}
              data-testid="meeting-start"
              class="field--time"
            />
            <TextField
              label={t("meetings.editor.end")}
              type="time"
              value={values.end}
              onValueChange={(v) => onTime("end", v)}
              error={lastTimeField.current === "end" ? timeError : undefined}
              data-testid="meeting-end"
              class="field--time"
            />
          </div>
          <SelectField
            label={t("meetings.editor.activity")}
            value={values.activity}
            options={activities}
            onValueChange={(activity) => {
              update({ activity });
              send("activity", { activity });
            }}
            error={fieldError("activity")}
            data-testid="meeting-activity"
          />
          <TextField
            label={t("meetings.editor.theme")}
            hint={t("meetings.editor.themeHint")}
            value={values.theme}
            onValueChange={(theme) => {
              update({ theme });
              send("theme", { theme }, TEXT_SAVE_DELAY_MS);
            }}
            error={fieldError("theme")}
            inputRef={themeInput}
            autoComplete="off"
            data-testid="meeting-theme"
          />
          <fieldset class="checklist" data-testid="meeting-facilitators">
            <legend class="field__label">{t("meetings.editor.facilitators")}</legend>
            {staff === null ? (
              <Spinner size="small" />
            ) : staff.length === 0 ? (
              <p class="field__hint">{t("meetings.editor.noStaff")}</p>
            ) : (
              <ul class="checklist__items">
                {staff.map((p) => (
                  <li key={p.id}>
                    <label class="check">
                      <input
                        type="checkbox"
                        checked={values.facilitators.includes(p.id)}
                        onChange={(e) => onFacilitator(p.id, (e.currentTarget as HTMLInputElement).checked)}
                      />
                      <span>
                        {p.first_name} {p.last_name}{" "}
                        <span class="check__note">({t(`meetings.editor.role.${p.role}`)})</span>
                      </span>
                    </label>
                  </li>
                ))}
              </ul>
            )}
            {fieldError("facilitators") && <p class="field__error">{fieldError("facilitators")}</p>}
          </fieldset>
        </div>

        <section class="attendance" aria-labelledby="attendance-heading">
          <h3 id="attendance-heading" class="attendance__heading">
            {t("meetings.attendance.heading")}{" "}
            <span class="attendance__count">
              · {t("meetings.attendance.present", { n: families.reduce((n, f) => n + f.members.filter((m) => m.present).length, 0) })}
            </span>
          </h3>
          <div class="attendance__tools">
            <AttendanceSearch listed={listed} onPick={onPick} />
            <Button onClick={() => setNewFamilyOpen(true)} data-testid="new-family" class="attendance__new">
              {t("meetings.attendance.newFamily")}
            </Button>
          </div>
          <p class="visually-hidden" role="status" aria-live="polite">
            {announcement}
          </p>
          <div class="attendance__families" ref={familiesBox}>
            {families.length === 0 ? (
              <p class="attendance__empty">{t("meetings.attendance.empty")}</p>
            ) : (
              families.map((f) => <FamilyBlock key={f.id} family={f} onPresence={onPresence} />)
            )}
          </div>
        </section>
      </div>

      <div class="editor__after">
        <TextField
          label={t("meetings.editor.guests")}
          hint={t("meetings.editor.guestsHint")}
          type="number"
          inputMode="numeric"
          min={0}
          step={1}
          value={values.guests}
          onValueChange={onGuests}
          error={fieldError("guests")}
          data-testid="meeting-guests"
          class="field--guests"
        />
        <TextField
          label={t("meetings.editor.notes")}
          hint={t("meetings.editor.notesHint")}
          multiline
          rows={5}
          value={values.notes}
          onValueChange={(notes) => {
            update({ notes });
            send("notes", { notes }, TEXT_SAVE_DELAY_MS);
          }}
          error={fieldError("notes")}
          data-testid="meeting-notes"
          class="field--notes"
        />
      </div>

      <NewFamilyDialog
        open={newFamilyOpen}
        lab={detail.meeting.lab}
        onClose={() => setNewFamilyOpen(false)}
        onRegistered={onRegistered}
      />
    </section>
  );
}

/** "Salvataggio…" / "Salvato" / what went wrong, announced politely. */
export function SaveStatus({ snapshot, t }: { snapshot: SaveSnapshot; t: Translate }) {
  let text: string;
  if (snapshot.state === "saving") text = t("meetings.save.saving");
  else if (snapshot.state === "saved") text = t("meetings.save.saved");
  else {
    const first = snapshot.errors.values().next().value;
    const message = first instanceof LocalInvalid ? first.message : errorMessage(first);
    text = t("meetings.save.error", { message });
  }
  return (
    <p class="save-status" data-testid="save-status" data-state={snapshot.state} aria-live="polite">
      {text}
    </p>
  );
}

function FamilyBlock({
  family,
  onPresence,
}: {
  family: FamilyPresence;
  onPresence: (family: FamilyPresence, member: MemberPresence, present: boolean) => void;
}) {
  const { t } = useI18n();
  const present = family.members.filter((m) => m.present).length;
  return (
    <fieldset class="family-block" data-testid="attendance-family" data-family={family.id}>
      <legend class="family-block__legend">
        <span class="family-block__code">{family.code}</span>
        {family.unavailable ? (
          <span class="family-block__note">{t("meetings.attendance.erased")}</span>
        ) : (
          <span class="family-block__note">{t("meetings.attendance.present", { n: present })}</span>
        )}
      </legend>
      {!family.unavailable && (
        <ul class="family-block__members">
          {family.members.map((m) => (
            <li key={m.id}>
              <label class="check">
                <input
                  type="checkbox"
                  checked={m.present}
                  onChange={(e) => onPresence(family, m, (e.currentTarget as HTMLInputElement).checked)}
                />
                <span>
                  {m.name}
                  {m.birth_year !== null && <span class="check__note"> ({m.birth_year})</span>}
                </span>
              </label>
            </li>
          ))}
        </ul>
      )}
    </fieldset>
  );
}
