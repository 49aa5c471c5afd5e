/**
 * Pure transforms of the `Indicators` the Rust side computes: the four
 * targets, the rows of the totals table, and the monthly attendance chart.
 */
import type { Counts, Indicators, Month } from "../../bindings";
import type { ChartData } from "../../components/BarChart";
import { labTitle } from "../../components/SelectionPicker";

export type Goal = "families" | "labs" | "operators_trained" | "volunteers_trained";

export interface TargetRow {
  goal: Goal;
  value: number;
  target: number;
}

/**
 * The totals against the grant's targets, in the order of the Rust
 * `Indicators::progress()` (a method, so not in the serialised value):
 * families accompanied, active labs, operators and volunteers trained.
 */
export function targetRows(ind: Indicators): TargetRow[] {
  const t = ind.total;
  return [
    { goal: "families", value: t.families_accompanied, target: ind.targets.families },
    { goal: "labs", value: t.active_labs, target: ind.targets.labs },
    { goal: "operators_trained", value: t.operators_trained, target: ind.targets.operators_trained },
    { goal: "volunteers_trained", value: t.volunteers_trained, target: ind.targets.volunteers_trained },
  ];
}

/** The figures of the totals table, in order (meetings get one sub-row per activity). */
export const TOTAL_FIGURES = [
  "families_reached",
  "families_accompanied",
  "members_reached",
  "minors_reached",
  "meetings",
  "attendances",
  "guests",
  "active_labs",
  "operators_trained",
  "volunteers_trained",
] as const satisfies readonly (keyof Counts)[];

export type TotalFigure = (typeof TOTAL_FIGURES)[number];

/** Person-hours of training, to one decimal (`training_minutes` / 60). */
export function trainingHours(c: Counts): number {
  return Math.round((c.training_minutes / 60) * 10) / 10;
}

/** Meetings of one activity (0 when none: the map only has the activities that happened). */
export function meetingsOf(c: Counts, activity: string): number {
  return c.meetings_by_activity[activity] ?? 0;
}

/** Every activity with meetings in the total, in the order of `known` (then any other, by key). */
export function activitiesIn(c: Counts, known: readonly string[]): string[] {
  const present = Object.keys(c.meetings_by_activity).filter((k) => meetingsOf(c, k) > 0);
  const first = known.filter((k) => present.includes(k));
  const rest = present.filter((k) => !known.includes(k)).sort();
  return [...first, ...rest];
}

/** `2026-03`: a month as a key. */
export function monthKey(m: Month): string {
  return `${String(m.year).padStart(4, "0")}-${String(m.month).padStart(2, "0")}`;
}

export interface MonthLabels {
  /** "mar 26" */
  short: (m: Month) => string;
  /** "marzo 2026" */
  long: (m: Month) => string;
}

/**
 * Attendance month by month (the x axis: every month of the period, zeros
 * included), one series per selected lab: `values[month][lab]`. A month a
 * lab's list lacks counts as 0.
 */
export function monthlyAttendance(ind: Indicators, labels: MonthLabels): ChartData {
  const perLab = ind.labs.map((l) => new Map(l.months.map((mc) => [monthKey(mc.month), mc.counts.attendances])));
  return {
    categories: ind.months.map((mc) => ({
      key: monthKey(mc.month),
      label: labels.short(mc.month),
      long: labels.long(mc.month),
    })),
    series: ind.labs.map((l) => ({ key: l.lab.id, label: labTitle(l.lab) })),
    values: ind.months.map((mc) => perLab.map((m) => m.get(monthKey(mc.month)) ?? 0)),
  };
}
