import { useEffect, useRef, useState } from "preact/hooks";
import { call } from "../../api/call";
import { commands, type LabId, type MeetingId, type MeetingSummary } from "../../bindings";
import { Button } from "../../components/Button";
import { Spinner } from "../../components/Spinner";
import { useToast } from "../../components/Toast";
import { useSession } from "../../app/session";
import { useI18n } from "../../i18n";
import { cx } from "../../lib/cx";
import { parseIsoDate, type IsoDate } from "../../lib/dates";
import { mark } from "../../lib/marks";
import { takeFirstWeek } from "./firstWeek";
import { flushAllSaves } from "./saveQueue";
import { daysOfWeek, hhmm, shiftWeek, weekRange } from "./week";

export interface WeekViewProps {
  lab: LabId;
  /** Any day of the week shown (its Monday, usually). */
  week: IsoDate;
  onWeekChange: (day: IsoDate) => void;
  onOpen: (id: MeetingId) => void;
  /** The "Nuovo incontro" button; absent when meetings cannot be created. */
  onNew?: (() => void) | undefined;
  creating: boolean;
  /** A meeting whose card gets focus once the week is loaded (coming back from it). */
  focusMeeting?: MeetingId | null | undefined;
  /** Called once that focus has been given (or the meeting is not in this week). */
  onFocused?: (() => void) | undefined;
}

/**
 * The lab's week, Monday to Sunday: a list of days (columns on a wide
 * window, rows on a narrow one), each a list of meeting cards. The grid is
 * itself the list screen readers read, in order.
 */
export function WeekView({ lab, week, onWeekChange, onOpen, onNew, creating, focusMeeting, onFocused }: WeekViewProps) {
  const { t, lang, formatDate, formatLongDate, weekdays } = useI18n();
  const toast = useToast();
  const { info } = useSession();
  const { from, to } = weekRange(week);
  const [meetings, setMeetings] = useState<MeetingSummary[] | null>(null);
  const [loadedFor, setLoadedFor] = useState<string | null>(null);
  const root = useRef<HTMLElement>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    let gone = false;
    (async () => {
      // A meeting just closed may still be saving: show it as saved.
      await flushAllSaves();
      try {
        mark("week-asked");
        const list = await (takeFirstWeek(lab, from, to) ?? call(commands.listMeetings(lab, from, to)));
        mark("week-answered");
        if (gone) return;
        setMeetings(list);
        setLoadedFor(`${lab}/${from}`);
      } catch (err) {
        if (gone) return;
        setMeetings([]);
        setLoadedFor(`${lab}/${from}`);
        toast.error(err);
      }
    })();
    return () => {
      gone = true;
    };
  }, [lab, from, to, toast]);

  const loading = loadedFor !== `${lab}/${from}`;

  useEffect(() => {
    if (loading || !focusMeeting) return;
    const card = root.current?.querySelector<HTMLElement>(`[data-meeting="${focusMeeting}"]`);
    (card ?? headingRef.current)?.focus();
    onFocused?.();
  }, [loading, focusMeeting]);

  const activity = (key: string) => {
    const a = info.activity_types.find((x) => x.key === key);
    return a ? (lang === "en" ? a.label_en : a.label_it) : key;
  };

  const names = weekdays("short");
  const days = daysOfWeek(week, meetings ?? [], info.today);
  const shortDate = (iso: IsoDate) => {
    const { day, month } = parseIsoDate(iso);
    return `${day}/${month}`;
  };

  return (
    <section class="week-view" aria-labelledby="week-heading" data-testid="week-view" ref={root} aria-busy={loading ? "true" : undefined}>
      <div class="week-view__toolbar">
        <h2 id="week-heading" class="week-view__heading" tabIndex={-1} ref={headingRef}>
          {t("meetings.week.heading", { from: formatDate(from), to: formatDate(to) })}
        </h2>
        <div class="week-view__nav">
          <Button onClick={() => onWeekChange(shiftWeek(from, -1))} data-testid="week-prev">
            <span aria-hidden="true">‹ </span>
            {t("meetings.week.prev")}
          </Button>
          <Button onClick={() => onWeekChange(info.today)} data-testid="week-today">
            {t("meetings.week.today")}
          </Button>
          <Button onClick={() => onWeekChange(shiftWeek(from, 1))} data-testid="week-next">
            {t("meetings.week.next")}
            <span aria-hidden="true"> ›</span>
          </Button>
        </div>
        {onNew && (
          <Button
            variant="primary"
            class="week-view__new"
            onClick={onNew}
            busy={creating}
            aria-keyshortcuts="N"
            title={t("meetings.newMeetingHint")}
            data-testid="new-meeting"
          >
            {t("meetings.newMeeting")}
          </Button>
        )}
      </div>

      {loading && meetings === null && <Spinner label={t("meetings.week.loading")} />}

      <ol class="week" aria-labelledby="week-heading">
        {days.map((day, i) => (
          <li key={day.date} class={cx("week__day", day.isToday && "is-today")} aria-current={day.isToday ? "date" : undefined}>
            <h3 class="week__dayname">
              <span aria-hidden="true">
                {names[i]} {shortDate(day.date)}
              </span>
              <span class="visually-hidden">{formatLongDate(day.date)}</span>
              {day.isToday && <span class="week__today"> · {t("meetings.week.todayMark")}</span>}
            </h3>
            {day.meetings.length === 0 ? (
              <p class="week__none">{t("meetings.week.emptyDay")}</p>
            ) : (
              <ul class="week__meetings">
                {day.meetings.map((m) => (
                  <li key={m.id}>
                    <button
                      type="button"
                      class="meeting-card"
                      data-testid="meeting-card"
                      data-meeting={m.id}
                      onClick={() => onOpen(m.id)}
                    >
                      {/* The spaces keep the parts apart in the button's spoken name. */}
                      <span class="meeting-card__time">
                        {t("meetings.card.time", { start: hhmm(m.start), end: hhmm(m.end) })}
                      </span>{" "}
                      <span class="meeting-card__activity">{activity(m.activity)}</span>{" "}
                      <span class={cx("meeting-card__theme", m.theme === "" && "is-empty")}>
                        {m.theme === "" ? t("meetings.card.noTheme") : m.theme}
                      </span>{" "}
                      <span class="meeting-card__counts">
                        {t("meetings.card.attendees", { n: m.attendees })}
                        {m.guests > 0 && <> · {t("meetings.card.guests", { n: m.guests })}</>}
                      </span>
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ol>
      {!loading && meetings?.length === 0 && <p class="week-view__empty">{t("meetings.week.empty")}</p>}
    </section>
  );
}
