/**
 * Dates for people, in the interface language and in Pavia's time zone.
 * Accepts `YYYY-MM-DD` (a calendar day from the Rust side), a full ISO
 * timestamp (`2026-11-25T09:30:00Z`, an instant) or a `Date`.
 */
import { TIME_ZONE, isoDateToNoonUtc, tryParseIsoDate, type IsoDate } from "../lib/dates";
import type { Language } from "./catalogue";
import { LOCALES } from "./translate";

const formats = new Map<string, Intl.DateTimeFormat>();

function formatter(lang: Language, name: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const id = `${lang}:${name}`;
  let f = formats.get(id);
  if (!f) {
    f = new Intl.DateTimeFormat(LOCALES[lang], { timeZone: TIME_ZONE, ...options });
    formats.set(id, f);
  }
  return f;
}

/** The instant to format: noon UTC for a bare date, so its day never shifts. */
export function toInstant(value: IsoDate | Date): Date {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new RangeError("invalid Date");
    return value;
  }
  if (tryParseIsoDate(value)) return isoDateToNoonUtc(value);
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new RangeError(`not a date: ${JSON.stringify(value)}`);
  return d;
}

/** `25/11/2026` (both languages: day/month/year, as Italian users expect). */
export function formatDate(value: IsoDate | Date, lang: Language): string {
  return formatter(lang, "date", { day: "2-digit", month: "2-digit", year: "numeric" }).format(
    toInstant(value),
  );
}

/** `mercoledì 25 novembre 2026` / `Wednesday 25 November 2026`. */
export function formatLongDate(value: IsoDate | Date, lang: Language): string {
  return formatter(lang, "long", {
    weekday: "long",
    day: "numeric",
    month: "long",
    year: "numeric",
  }).format(toInstant(value));
}

/** `25 nov 2026` / `25 Nov 2026`: for tables and lists. */
export function formatMediumDate(value: IsoDate | Date, lang: Language): string {
  return formatter(lang, "medium", { day: "numeric", month: "short", year: "numeric" }).format(
    toInstant(value),
  );
}

/** `09:30`, 24-hour clock, in Pavia: for instants only. */
export function formatTime(value: Date | string, lang: Language): string {
  return formatter(lang, "time", { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(
    toInstant(value),
  );
}

/** The names of the weekdays, Monday first: `["lunedì", …, "domenica"]`. */
export function weekdayNames(lang: Language, width: "long" | "short" | "narrow" = "long"): string[] {
  const f = formatter(lang, `weekday-${width}`, { weekday: width });
  // 2024-01-01 was a Monday.
  return Array.from({ length: 7 }, (_, i) => f.format(isoDateToNoonUtc(`2024-01-0${i + 1}`)));
}

/** The names of the months, January first. */
export function monthNames(lang: Language, width: "long" | "short" = "long"): string[] {
  const f = formatter(lang, `month-${width}`, { month: width });
  return Array.from({ length: 12 }, (_, i) =>
    f.format(isoDateToNoonUtc(`2024-${String(i + 1).padStart(2, "0")}-15`)),
  );
}
