import { useEffect, useRef, useState } from "preact/hooks";
import { call } from "../api/call";
import { commands, type MeetingId } from "../bindings";
import { useToast } from "../components/Toast";
import { useSession } from "../app/session";
import { useI18n } from "../i18n";
import { startOfWeek, type IsoDate } from "../lib/dates";
import { isTypingTarget } from "../lib/focus";
import { lastTimes } from "./meetings/lastTimes";
import { MeetingEditor } from "./meetings/MeetingEditor";
import { WeekView } from "./meetings/WeekView";
import "./meetings/meetings.css";

type View =
  | { kind: "week"; focusMeeting?: MeetingId | undefined }
  | { kind: "meeting"; id: MeetingId; autoFocus: "theme" | "heading" };

/**
 * Where the user was, kept while the app runs: coming back to Incontri from
 * another section shows the same week (and lab).
 */
const remembered: { lab: string | null; week: IsoDate | null } = { lab: null, week: null };

/**
 * Incontri: the lab's week and, opened from a card or right after "Nuovo
 * incontro", a meeting's page. A new meeting is created at once (today,
 * the last hours used, the first activity type) so nothing typed can be
 * lost, then the page opens on it with the cursor in the theme.
 */
export function Meetings() {
  const { t } = useI18n();
  const toast = useToast();
  const { info } = useSession();
  const [week, setWeek] = useState<IsoDate>(() =>
    remembered.week !== null && remembered.lab === info.lab ? remembered.week : startOfWeek(info.today),
  );
  const [view, setView] = useState<View>({ kind: "week" });
  const [creating, setCreating] = useState(false);
  remembered.week = week;
  remembered.lab = info.lab;

  const lab = info.lab;
  const activity = info.activity_types[0];
  const canCreate = lab !== null && activity !== undefined;

  const create = async () => {
    if (creating || lab === null || activity === undefined) return;
    setCreating(true);
    try {
      const times = lastTimes();
      const id = await call(
        commands.createMeeting({
          lab,
          date: info.today,
          start: `${times.start}:00`,
          end: `${times.end}:00`,
          activity: activity.key,
          theme: "",
          facilitators: [],
          attendance: [],
          guests: 0,
          notes: "",
        }),
      );
      setWeek(startOfWeek(info.today));
      setView({ kind: "meeting", id, autoFocus: "theme" });
    } catch (err) {
      toast.error(err);
    } finally {
      setCreating(false);
    }
  };
  const createRef = useRef(create);
  createRef.current = create;

  // N: a new meeting, from the week, when the user is not typing.
  useEffect(() => {
    if (view.kind !== "week" || !canCreate) return undefined;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
      if (event.key !== "n" && event.key !== "N") return;
      if (isTypingTarget(event.target)) return;
      if (document.querySelector("[aria-modal='true']")) return;
      event.preventDefault();
      void createRef.current();
    };
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, [view.kind, canCreate]);

  return (
    <div class="meetings" data-testid="screen-meetings">
      <h1>{t("sections.meetings")}</h1>
      {lab === null ? (
        <p class="notice">{t("meetings.noLab")}</p>
      ) : view.kind === "meeting" ? (
        <MeetingEditor
          key={view.id}
          id={view.id}
          autoFocus={view.autoFocus}
          onClose={(date) => {
            setWeek(startOfWeek(date));
            setView({ kind: "week", focusMeeting: view.id });
          }}
        />
      ) : (
        <>
          {activity === undefined && <p class="notice">{t("meetings.noActivities")}</p>}
          <WeekView
            lab={lab}
            week={week}
            onWeekChange={(day) => setWeek(startOfWeek(day))}
            onOpen={(id) => setView({ kind: "meeting", id, autoFocus: "heading" })}
            onNew={canCreate ? () => void create() : undefined}
            creating={creating}
            focusMeeting={view.focusMeeting}
            onFocused={() => setView({ kind: "week" })}
          />
        </>
      )}
    </div>
  );
}
