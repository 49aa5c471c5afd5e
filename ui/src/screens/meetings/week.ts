/**
 * The week view's arithmetic, kept apart from the screen so it can be
 * tested: which dates to ask for, and the meetings placed on their days.
 */
import type { MeetingSummary } from "../../bindings";
import { addDays, startOfWeek, weekOf, type IsoDate } from "../../lib/dates";

export interface WeekRange {
  /** Monday. */
  from: IsoDate;
  /** Sunday (included). */
  to: IsoDate;
}

/** The Monday-to-Sunday week containing `day`. */
export function weekRange(day: IsoDate): WeekRange {
  const from = startOfWeek(day);
  return { from, to: addDays(from, 6) };
}

/** The Monday `weeks` weeks before (negative) or after the week of `day`. */
export function shiftWeek(day: IsoDate, weeks: number): IsoDate {
  return addDays(startOfWeek(day), 7 * weeks);
}

export interface WeekDay {
  date: IsoDate;
  isToday: boolean;
  /** By start time, then end time. */
  meetings: MeetingSummary[];
}

/**
 * The seven days of the week of `day`, each with its meetings. Meetings
 * dated outside the week (a stale answer) are left out.
 */
export function daysOfWeek(day: IsoDate, meetings: readonly MeetingSummary[], today: IsoDate): WeekDay[] {
  const days = weekOf(day).map((date) => ({ date, isToday: date === today, meetings: [] as MeetingSummary[] }));
  const byDate = new Map(days.map((d) => [d.date, d]));
  for (const m of meetings) byDate.get(m.date)?.meetings.push(m);
  for (const d of days) {
    d.meetings.sort((a, b) => a.start.localeCompare(b.start) || a.end.localeCompare(b.end));
  }
  return days;
}

/** `17:00:00` or `17:00` → `17:00`. */
export function hhmm(time: string): string {
  return time.slice(0, 5);
}
