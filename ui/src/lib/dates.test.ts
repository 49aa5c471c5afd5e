import { afterEach, describe, expect, it, vi } from "vitest";
import {
  addDays,
  compareIsoDates,
  daysBetween,
  daysInMonth,
  isIsoDate,
  isoDateInRome,
  isoWeek,
  isoWeekday,
  parseIsoDate,
  startOfWeek,
  todayIso,
  weekOf,
} from "./dates";

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("ISO dates", () => {
  it("accepts real days only", () => {
    expect(isIsoDate("2026-11-25")).toBe(true);
    expect(isIsoDate("2028-02-29")).toBe(true);
    expect(isIsoDate("2026-02-29")).toBe(false);
    expect(isIsoDate("2026-13-01")).toBe(false);
    expect(isIsoDate("2026-00-10")).toBe(false);
    expect(isIsoDate("2026-1-5")).toBe(false);
    expect(isIsoDate("2026-11-25T10:00:00Z")).toBe(false);
    expect(isIsoDate(20261125)).toBe(false);
    expect(() => parseIsoDate("25/11/2026")).toThrow(RangeError);
    expect(parseIsoDate("2026-11-25")).toEqual({ year: 2026, month: 11, day: 25 });
  });

  it("knows month lengths and leap years", () => {
    expect(daysInMonth(2026, 2)).toBe(28);
    expect(daysInMonth(2028, 2)).toBe(29);
    expect(daysInMonth(2100, 2)).toBe(28);
    expect(daysInMonth(2000, 2)).toBe(29);
    expect(daysInMonth(2026, 12)).toBe(31);
  });
});

describe("addDays and daysBetween", () => {
  it("crosses months, years and leap days", () => {
    expect(addDays("2026-11-25", 1)).toBe("2026-11-26");
    expect(addDays("2026-11-30", 1)).toBe("2026-12-01");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2027-01-01", -1)).toBe("2026-12-31");
    expect(addDays("2028-02-28", 1)).toBe("2028-02-29");
    expect(addDays("2026-02-28", 1)).toBe("2026-03-01");
    expect(addDays("2026-11-25", 0)).toBe("2026-11-25");
    expect(addDays("2026-01-01", 365)).toBe("2027-01-01");
    expect(daysBetween("2026-01-01", "2027-01-01")).toBe(365);
    expect(daysBetween("2027-01-01", "2026-01-01")).toBe(-365);
  });

  it("is not shifted by daylight saving (Rome: 29 March and 25 October 2026)", () => {
    expect(addDays("2026-03-28", 1)).toBe("2026-03-29");
    expect(addDays("2026-03-29", 1)).toBe("2026-03-30");
    expect(addDays("2026-10-24", 1)).toBe("2026-10-25");
    expect(addDays("2026-10-25", 1)).toBe("2026-10-26");
    expect(daysBetween("2026-03-28", "2026-03-30")).toBe(2);
    expect(daysBetween("2026-10-24", "2026-10-26")).toBe(2);
  });

  it("gives the same answers whatever the computer's time zone", () => {
    for (const tz of ["Europe/Rome", "America/Los_Angeles", "Pacific/Kiritimati", "UTC"]) {
      vi.stubEnv("TZ", tz);
      expect(addDays("2026-03-28", 2), tz).toBe("2026-03-30");
      expect(addDays("2026-10-24", 2), tz).toBe("2026-10-26");
      expect(startOfWeek("2026-03-29"), tz).toBe("2026-03-23");
      expect(isoWeekday("2026-10-25"), tz).toBe(7);
    }
  });

  it("orders dates", () => {
    const sorted = ["2026-12-01", "2025-01-31", "2026-02-01"].sort(compareIsoDates);
    expect(sorted).toEqual(["2025-01-31", "2026-02-01", "2026-12-01"]);
  });
});

describe("weeks", () => {
  it("start on Monday", () => {
    expect(isoWeekday("2026-11-23")).toBe(1); // Monday
    expect(isoWeekday("2026-11-25")).toBe(3); // Wednesday
    expect(isoWeekday("2026-11-29")).toBe(7); // Sunday
    expect(startOfWeek("2026-11-25")).toBe("2026-11-23");
    expect(startOfWeek("2026-11-23")).toBe("2026-11-23");
    expect(startOfWeek("2026-11-29")).toBe("2026-11-23");
  });

  it("span months and years", () => {
    expect(weekOf("2026-12-31")).toEqual([
      "2026-12-28",
      "2026-12-29",
      "2026-12-30",
      "2026-12-31",
      "2027-01-01",
      "2027-01-02",
      "2027-01-03",
    ]);
    // The week of the spring DST change (Sunday 29 March 2026) still has 7 days.
    expect(weekOf("2026-03-29")[0]).toBe("2026-03-23");
    expect(weekOf("2026-03-29")[6]).toBe("2026-03-29");
  });

  it("are numbered as ISO 8601, including across year boundaries", () => {
    expect(isoWeek("2026-11-25")).toEqual({ year: 2026, week: 48 });
    expect(isoWeek("2026-01-01")).toEqual({ year: 2026, week: 1 }); // a Thursday
    expect(isoWeek("2026-12-31")).toEqual({ year: 2026, week: 53 }); // 2026 has 53 weeks
    expect(isoWeek("2027-01-03")).toEqual({ year: 2026, week: 53 });
    expect(isoWeek("2027-01-04")).toEqual({ year: 2027, week: 1 });
    expect(isoWeek("2021-01-01")).toEqual({ year: 2020, week: 53 });
    expect(isoWeek("2024-12-30")).toEqual({ year: 2025, week: 1 });
    expect(isoWeek("2025-12-29")).toEqual({ year: 2026, week: 1 });
    expect(isoWeek("2026-03-29")).toEqual({ year: 2026, week: 13 });
    expect(isoWeek("2026-03-30")).toEqual({ year: 2026, week: 14 });
  });
});

describe("today in Europe/Rome", () => {
  it("is Pavia's day, not UTC's", () => {
    // 23:30 UTC on 31 December is already New Year in Rome (UTC+1).
    expect(todayIso(new Date("2026-12-31T23:30:00Z"))).toBe("2027-01-01");
    expect(todayIso(new Date("2026-12-31T22:59:00Z"))).toBe("2026-12-31");
    // Summer time (UTC+2): 22:30 UTC is 00:30 the next day.
    expect(todayIso(new Date("2026-07-14T22:30:00Z"))).toBe("2026-07-15");
    expect(todayIso(new Date("2026-07-14T21:59:00Z"))).toBe("2026-07-14");
  });

  it("follows the DST changes", () => {
    // Spring forward: 2026-03-29 01:00 UTC (02:00 CET becomes 03:00 CEST).
    expect(isoDateInRome(new Date("2026-03-28T22:59:00Z"))).toBe("2026-03-28");
    expect(isoDateInRome(new Date("2026-03-28T23:00:00Z"))).toBe("2026-03-29");
    expect(isoDateInRome(new Date("2026-03-29T21:59:00Z"))).toBe("2026-03-29");
    expect(isoDateInRome(new Date("2026-03-29T22:00:00Z"))).toBe("2026-03-30");
    // Fall back: 2026-10-25 01:00 UTC (03:00 CEST becomes 02:00 CET).
    expect(isoDateInRome(new Date("2026-10-24T21:59:00Z"))).toBe("2026-10-24");
    expect(isoDateInRome(new Date("2026-10-24T22:00:00Z"))).toBe("2026-10-25");
    expect(isoDateInRome(new Date("2026-10-25T22:59:00Z"))).toBe("2026-10-25");
    expect(isoDateInRome(new Date("2026-10-25T23:00:00Z"))).toBe("2026-10-26");
  });

  it("does not depend on the computer's time zone", () => {
    const at = new Date("2026-12-31T23:30:00Z");
    for (const tz of ["America/Los_Angeles", "Pacific/Kiritimati", "UTC", "Europe/Rome"]) {
      vi.stubEnv("TZ", tz);
      expect(todayIso(at), tz).toBe("2027-01-01");
    }
  });

  it("uses the real clock by default", () => {
    expect(isIsoDate(todayIso())).toBe(true);
  });
});

describe("the time-zone tests above are meaningful", () => {
  it("changing TZ changes local time in this runner", () => {
    const at = new Date("2026-07-01T12:00:00Z");
    vi.stubEnv("TZ", "America/Los_Angeles");
    const la = at.getHours();
    vi.stubEnv("TZ", "Pacific/Kiritimati");
    const kiritimati = at.getHours();
    expect(la).not.toBe(kiritimati);
  });
});
