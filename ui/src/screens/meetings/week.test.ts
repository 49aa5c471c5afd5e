import { describe, expect, it } from "vitest";
import type { MeetingSummary } from "../../bindings";
import { daysOfWeek, hhmm, shiftWeek, weekRange } from "./week";

function meeting(id: string, date: string, start: string, end = "19:00"): MeetingSummary {
  return { id, lab: "lab", date, start, end, activity: "open_lab", theme: "", attendees: 0, guests: 0 };
}

describe("the week view's dates", () => {
  it("asks for Monday to Sunday of the week of any day", () => {
    expect(weekRange("2026-11-25")).toEqual({ from: "2026-11-23", to: "2026-11-29" });
    expect(weekRange("2026-11-23")).toEqual({ from: "2026-11-23", to: "2026-11-29" });
    expect(weekRange("2026-11-29")).toEqual({ from: "2026-11-23", to: "2026-11-29" });
    // Across the year's end.
    expect(weekRange("2027-01-01")).toEqual({ from: "2026-12-28", to: "2027-01-03" });
  });

  it("moves by whole weeks from any day", () => {
    expect(shiftWeek("2026-11-25", 1)).toBe("2026-11-30");
    expect(shiftWeek("2026-11-25", -1)).toBe("2026-11-16");
    expect(shiftWeek("2026-12-30", 1)).toBe("2027-01-04");
    // The week of the spring DST change still has 7 days.
    expect(shiftWeek("2026-03-23", 1)).toBe("2026-03-30");
  });

  it("places meetings on their days, by start time, and marks today", () => {
    const days = daysOfWeek(
      "2026-11-25",
      [
        meeting("late", "2026-11-25", "17:00"),
        meeting("early", "2026-11-25", "09:30", "11:00"),
        meeting("sunday", "2026-11-29", "10:00"),
        meeting("stale", "2026-11-30", "10:00"),
      ],
      "2026-11-25",
    );
    expect(days.map((d) => d.date)).toEqual([
      "2026-11-23",
      "2026-11-24",
      "2026-11-25",
      "2026-11-26",
      "2026-11-27",
      "2026-11-28",
      "2026-11-29",
    ]);
    expect(days.map((d) => d.meetings.map((m) => m.id))).toEqual([[], [], ["early", "late"], [], [], [], ["sunday"]]);
    expect(days.filter((d) => d.isToday).map((d) => d.date)).toEqual(["2026-11-25"]);
    expect(daysOfWeek("2026-11-16", [], "2026-11-25").some((d) => d.isToday)).toBe(false);
  });

  it("shows times as HH:MM", () => {
    expect(hhmm("17:00:00")).toBe("17:00");
    expect(hhmm("09:30")).toBe("09:30");
  });
});
