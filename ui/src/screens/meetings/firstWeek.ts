/**
 * The week the first screen shows, asked for as soon as the register opens
 * (issue 12's cold start). The week view asks for its meetings from an
 * effect, which runs only after the shell has rendered and painted; by
 * then the answer to a question asked at the unlock is already there, and
 * the week is drawn about 0.1 s sooner on a 2-core laptop.
 *
 * One answer, taken once: the first week view to load takes it if it asks
 * for the same lab and dates, and drops it otherwise, so a later view
 * never shows an old answer. Opening the register on another section asks
 * nothing.
 */
import { call } from "../../api/call";
import { commands, type LabId, type MeetingSummary } from "../../bindings";
import type { IsoDate } from "../../lib/dates";
import { weekRange } from "./week";

let pending: { key: string; list: Promise<MeetingSummary[]> } | null = null;

const keyOf = (lab: LabId, from: IsoDate, to: IsoDate) => `${lab}/${from}/${to}`;

/** At the unlock: asks for this week's meetings of `lab` when the week view comes next. */
export function askFirstWeek(lab: LabId | null, today: IsoDate, weekViewNext: boolean): void {
  pending = null;
  if (lab === null || !weekViewNext) return;
  const { from, to } = weekRange(today);
  const list = call(commands.listMeetings(lab, from, to));
  // A failure is the week view's to report, when it takes the answer.
  list.catch(() => undefined);
  pending = { key: keyOf(lab, from, to), list };
}

/** The answer asked for at the unlock, if it is for this lab and week; never twice. */
export function takeFirstWeek(lab: LabId, from: IsoDate, to: IsoDate): Promise<MeetingSummary[]> | null {
  const taken = pending;
  pending = null;
  return taken !== null && taken.key === keyOf(lab, from, to) ? taken.list : null;
}
