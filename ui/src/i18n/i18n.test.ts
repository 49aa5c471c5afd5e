import { describe, expect, it as test } from "vitest";
import type { Catalogue, Key, Params } from "./catalogue";
import { en } from "./en";
import { formatDate, formatLongDate, formatMediumDate, formatTime, monthNames, weekdayNames } from "./format";
import { it } from "./it";
import { getLanguage, onLanguageChange, setLanguage, t } from "./store";
import { flatten, interpolate, isKey, translate, translateLoose } from "./translate";

describe("catalogues", () => {
  test("every Italian key exists in English and vice versa", () => {
    const itKeys = [...flatten(it).keys()].sort();
    const enKeys = [...flatten(en).keys()].sort();
    expect(enKeys).toEqual(itKeys);
    expect(itKeys.length).toBeGreaterThan(50);
  });

  test("plural keys have the same categories and no empty text", () => {
    const itFlat = flatten(it);
    const enFlat = flatten(en);
    for (const [key, leaf] of itFlat) {
      const other = enFlat.get(key);
      expect(typeof other, key).toBe(typeof leaf);
      if (typeof leaf === "object" && typeof other === "object") {
        expect(Object.keys(other).sort(), key).toEqual(Object.keys(leaf).sort());
      }
      for (const text of typeof leaf === "string" ? [leaf] : Object.values(leaf)) {
        expect(text.trim(), key).not.toBe("");
      }
    }
  });

  test("texts use the same parameters in both languages", () => {
    const names = (leaf: unknown): string[] =>
      [...JSON.stringify(leaf).matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? "").sort();
    const enFlat = flatten(en);
    for (const [key, leaf] of flatten(it)) {
      expect([...new Set(names(enFlat.get(key)))], key).toEqual([...new Set(names(leaf))]);
    }
  });

  test("a missing or extra key is a type error (checked by `npm run check`)", () => {
    const { meetings: _dropped, ...sectionsWithoutMeetings } = en.sections;
    // @ts-expect-error: "meetings" is missing
    const missing: Catalogue = { ...en, sections: sectionsWithoutMeetings };
    const extra: Catalogue = {
      ...en,
      // @ts-expect-error: "typo" is not a key of the Italian catalogue
      sections: { ...en.sections, typo: "x" },
    };
    // @ts-expect-error: a plural text needs its forms, not a string
    const notPlural: Catalogue = { ...en, counts: { ...en.counts, families: "families" } };
    // @ts-expect-error: not a key
    const badKey: Key = "sections.nope";
    // @ts-expect-error: the parameter `section` is required
    const noParams: Params<"app.titleWithSection"> = {};
    expect([missing, extra, notPlural, badKey, noParams]).toHaveLength(5);
  });
});

describe("t", () => {
  test("looks up nested keys in the current language", () => {
    expect(t("sections.meetings")).toBe("Incontri");
    setLanguage("en");
    expect(t("sections.meetings")).toBe("Meetings");
    expect(document.documentElement.lang).toBe("en");
  });

  test("interpolates named parameters", () => {
    expect(t("app.titleWithSection", { section: "Famiglie" })).toBe("Famiglie · Taccuino");
    expect(translate("en", "dates.week", { week: 48, year: "2026" })).toBe("Week 48 of 2026");
    // Numbers are written for the language.
    expect(interpolate("{n}", { n: 12345.5 }, "it")).toBe("12.345,5");
    expect(interpolate("{n}", { n: 12345.5 }, "en")).toBe("12,345.5");
    // Unknown placeholders stay visible rather than vanish.
    expect(interpolate("a {x} b", { y: 1 }, "it")).toBe("a {x} b");
  });

  test("parameters are type-checked", () => {
    // @ts-expect-error: missing { section }
    const missing = t("app.titleWithSection");
    // @ts-expect-error: a plain text takes no parameters
    const extra = t("sections.meetings", { n: 1 });
    // @ts-expect-error: a plural text needs n
    const noCount = t("counts.families", {});
    expect([missing, extra, noCount]).toHaveLength(3);
  });

  test("plurals in Italian", () => {
    expect(t("counts.families", { n: 0 })).toBe("0 famiglie");
    expect(t("counts.families", { n: 1 })).toBe("1 famiglia");
    expect(t("counts.families", { n: 2 })).toBe("2 famiglie");
    expect(t("counts.families", { n: 1500 })).toBe("1500 famiglie");
    expect(t("counts.meetings", { n: 21 })).toBe("21 incontri");
    expect(t("errors.weakPassphrase", { n: 12 })).toBe("La passphrase deve avere almeno 12 caratteri.");
  });

  test("plurals in English", () => {
    setLanguage("en");
    expect(t("counts.families", { n: 0 })).toBe("0 families");
    expect(t("counts.families", { n: 1 })).toBe("1 family");
    expect(t("counts.people", { n: 1 })).toBe("1 person");
    expect(t("counts.people", { n: 2 })).toBe("2 people");
    expect(t("counts.families", { n: 12000 })).toBe("12,000 families");
  });

  test("falls back to the key for an unknown key", () => {
    expect(translateLoose("it", "no.such.key")).toBe("no.such.key");
    expect(isKey("sections.meetings")).toBe(true);
    expect(isKey("sections")).toBe(false);
  });
});

describe("language state", () => {
  test("defaults to Italian and notifies on change", () => {
    expect(getLanguage()).toBe("it");
    const seen: string[] = [];
    const stop = onLanguageChange((l) => seen.push(l));
    setLanguage("en");
    setLanguage("en"); // no change, no notification
    setLanguage("it");
    stop();
    setLanguage("en");
    expect(seen).toEqual(["en", "it"]);
  });
});

describe("dates", () => {
  test("short dates are dd/mm/yyyy", () => {
    expect(formatDate("2026-11-25", "it")).toBe("25/11/2026");
    expect(formatDate("2026-01-05", "it")).toBe("05/01/2026");
    expect(formatDate("2026-11-25", "en")).toBe("25/11/2026");
  });

  test("long dates name the weekday", () => {
    expect(formatLongDate("2026-11-25", "it")).toBe("mercoledì 25 novembre 2026");
    const english = formatLongDate("2026-11-25", "en");
    for (const part of ["Wednesday", "25", "November", "2026"]) expect(english).toContain(part);
    expect(formatMediumDate("2026-11-25", "it")).toBe("25 nov 2026");
  });

  test("a bare date never shifts day, whatever the computer's zone", () => {
    expect(formatDate("2026-03-29", "it")).toBe("29/03/2026");
    expect(formatDate("2026-10-25", "it")).toBe("25/10/2026");
    expect(formatDate("2026-12-31", "it")).toBe("31/12/2026");
  });

  test("instants are shown in Europe/Rome", () => {
    expect(formatDate("2026-12-31T23:30:00Z", "it")).toBe("01/01/2027");
    expect(formatTime("2026-11-25T08:30:00Z", "it")).toBe("09:30");
    expect(formatTime("2026-07-01T08:30:00Z", "it")).toBe("10:30");
    expect(() => formatDate("not a date", "it")).toThrow(RangeError);
  });

  test("weekday and month names, Monday first", () => {
    expect(weekdayNames("it")).toEqual([
      "lunedì",
      "martedì",
      "mercoledì",
      "giovedì",
      "venerdì",
      "sabato",
      "domenica",
    ]);
    expect(weekdayNames("en")[0]).toBe("Monday");
    expect(weekdayNames("en")[6]).toBe("Sunday");
    expect(weekdayNames("it", "short")[0]).toBe("lun");
    expect(monthNames("it")[10]).toBe("novembre");
    expect(monthNames("en")[0]).toBe("January");
  });
});
