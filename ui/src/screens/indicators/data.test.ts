import { describe, expect, it } from "vitest";
import type { Counts, Indicators, Lab, Month, MonthCounts } from "../../bindings";
import { activitiesIn, meetingsOf, monthKey, monthlyAttendance, targetRows, trainingHours } from "./data";

function counts(patch: Partial<Counts> = {}): Counts {
  return {
    families_reached: 0,
    families_accompanied: 0,
    members_reached: 0,
    minors_reached: 0,
    meetings: 0,
    meetings_by_activity: {},
    attendances: 0,
    guests: 0,
    active_labs: 0,
    operators_trained: 0,
    volunteers_trained: 0,
    training_minutes: 0,
    ...patch,
  };
}

const month = (m: number): Month => ({ year: 2026, month: m });
const mc = (m: number, attendances: number): MonthCounts => ({
  month: month(m),
  days: { from: `2026-0${m}-01`, to: `2026-0${m}-28` },
  counts: counts({ attendances }),
});

const centro: Lab = { id: "L1", number: 1, name: "Centro", address: "", partner: "" };
const ovest: Lab = { id: "L2", number: 3, name: "Ovest", address: "", partner: "" };

/** Two labs over January–March 2026; Ovest's list lacks February. */
function sample(): Indicators {
  return {
    period: { from: "2026-01-01", to: "2026-03-31" },
    targets: { families: 800, labs: 10, operators_trained: 60, volunteers_trained: 120, trained_hours: 20 },
    total: counts({
      families_accompanied: 412,
      active_labs: 2,
      operators_trained: 7,
      volunteers_trained: 130,
      attendances: 33,
      meetings: 9,
      meetings_by_activity: { open_lab: 4, family_tutoring: 3, zumba: 2, self_care: 0 },
      training_minutes: 1510,
    }),
    months: [mc(1, 17), mc(2, 0), mc(3, 16)],
    labs: [
      { lab: centro, total: counts({ attendances: 19 }), months: [mc(1, 12), mc(2, 0), mc(3, 7)] },
      { lab: ovest, total: counts({ attendances: 14 }), months: [mc(1, 5), mc(3, 9)] },
    ],
  };
}

const labels = {
  short: (m: Month) => `m${m.month}`,
  long: (m: Month) => `month ${m.month} ${m.year}`,
};

describe("monthlyAttendance", () => {
  it("puts every month of the period on the x axis and one series per lab", () => {
    const chart = monthlyAttendance(sample(), labels);
    expect(chart.categories).toEqual([
      { key: "2026-01", label: "m1", long: "month 1 2026" },
      { key: "2026-02", label: "m2", long: "month 2 2026" },
      { key: "2026-03", label: "m3", long: "month 3 2026" },
    ]);
    expect(chart.series).toEqual([
      { key: "L1", label: "1 · Centro" },
      { key: "L2", label: "3 · Ovest" },
    ]);
  });

  it("reads each lab's attendance by month, a missing month as 0", () => {
    // Hand-computed: [Centro, Ovest] per month.
    expect(monthlyAttendance(sample(), labels).values).toEqual([
      [12, 5],
      [0, 0],
      [7, 9],
    ]);
  });

  it("matches months by year and month, not by position", () => {
    const ind = sample();
    const first = ind.labs[1];
    if (first) first.months = [mc(3, 9), mc(1, 5)];
    expect(monthlyAttendance(ind, labels).values.map((row) => row[1])).toEqual([5, 0, 9]);
  });

  it("has no series without labs", () => {
    const ind = { ...sample(), labs: [] };
    const chart = monthlyAttendance(ind, labels);
    expect(chart.series).toEqual([]);
    expect(chart.values).toEqual([[], [], []]);
  });
});

describe("targets and totals", () => {
  it("measures the four totals against the targets", () => {
    expect(targetRows(sample())).toEqual([
      { goal: "families", value: 412, target: 800 },
      { goal: "labs", value: 2, target: 10 },
      { goal: "operators_trained", value: 7, target: 60 },
      { goal: "volunteers_trained", value: 130, target: 120 },
    ]);
  });

  it("lists activities with meetings, known ones first in their order", () => {
    const total = sample().total;
    expect(activitiesIn(total, ["family_tutoring", "self_care", "open_lab"])).toEqual([
      "family_tutoring",
      "open_lab",
      "zumba",
    ]);
    expect(meetingsOf(total, "open_lab")).toBe(4);
    expect(meetingsOf(total, "nothing")).toBe(0);
  });

  it("turns person-minutes into hours to one decimal", () => {
    expect(trainingHours(counts({ training_minutes: 1510 }))).toBe(25.2);
    expect(trainingHours(counts({ training_minutes: 90 }))).toBe(1.5);
    expect(monthKey({ year: 2026, month: 3 })).toBe("2026-03");
  });
});
