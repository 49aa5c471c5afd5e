/**
 * Calendar dates as the Rust side sends them: `YYYY-MM-DD` strings (chrono's
 * `NaiveDate`). They are days, not instants: all arithmetic here is done on
 * UTC midnights, so neither the computer's time zone nor daylight saving
 * can shift a date. Only `todayIso` looks at a clock, and it asks for the
 * day in Pavia (Europe/Rome), whatever zone the laptop is set to.
 */

/** An ISO calendar date, `YYYY-MM-DD`. */
export type IsoDate = string;

/** The time zone of the project: every "today" and every instant shown is in it. */
export const TIME_ZONE = "Europe/Rome";

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

export interface DateParts {
  year: number;
  /** 1–12 */
  month: number;
  /** 1–31 */
  day: number;
}

/** The parts of a valid ISO date, or `null` (wrong shape or no such day). */
export function tryParseIsoDate(value: string): DateParts | null {
  const m = ISO_DATE.exec(value);
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1) return null;
  if (day > daysInMonth(year, month)) return null;
  return { year, month, day };
}

/** Whether `value` is a valid `YYYY-MM-DD` date (2026-02-30 is not). */
export function isIsoDate(value: unknown): value is IsoDate {
  return typeof value === "string" && tryParseIsoDate(value) !== null;
}

/** The parts of an ISO date; throws `RangeError` for an invalid one. */
export function parseIsoDate(value: string): DateParts {
  const parts = tryParseIsoDate(value);
  if (!parts) throw new RangeError(`not an ISO date (YYYY-MM-DD): ${JSON.stringify(value)}`);
  return parts;
}

/** Formats parts as `YYYY-MM-DD`. */
export function toIsoDate({ year, month, day }: DateParts): IsoDate {
  return `${String(year).padStart(4, "0")}-${pad2(month)}-${pad2(day)}`;
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The UTC midnight of a date, in milliseconds: for arithmetic only. */
function utcMs(iso: IsoDate): number {
  const { year, month, day } = parseIsoDate(iso);
  return Date.UTC(year, month - 1, day);
}

function fromUtcMs(ms: number): IsoDate {
  const d = new Date(ms);
  return toIsoDate({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() });
}

/**
 * A `Date` at noon UTC of the given day: the same calendar day in every
 * European zone, for handing to `Intl.DateTimeFormat` with `timeZone`
 * Europe/Rome.
 */
export function isoDateToNoonUtc(iso: IsoDate): Date {
  return new Date(utcMs(iso) + DAY_MS / 2);
}

let romeDayFormat: Intl.DateTimeFormat | undefined;

/** The calendar day in Pavia at the instant `at`, as `YYYY-MM-DD`. */
export function isoDateInRome(at: Date): IsoDate {
  romeDayFormat ??= new Intl.DateTimeFormat("en-CA", {
    timeZone: TIME_ZONE,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  });
  const parts = romeDayFormat.formatToParts(at);
  const get = (type: Intl.DateTimeFormatPartTypes): number =>
    Number(parts.find((p) => p.type === type)?.value);
  return toIsoDate({ year: get("year"), month: get("month"), day: get("day") });
}

/** Today in Pavia (Europe/Rome), whatever the computer's time zone. */
export function todayIso(now: Date = new Date()): IsoDate {
  return isoDateInRome(now);
}

/** `iso` moved by `days` (negative goes back). */
export function addDays(iso: IsoDate, days: number): IsoDate {
  return fromUtcMs(utcMs(iso) + days * DAY_MS);
}

/** Whole days from `from` to `to` (negative if `to` is earlier). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return Math.round((utcMs(to) - utcMs(from)) / DAY_MS);
}

/** Orders two dates: negative, zero or positive (usable with `Array.sort`). */
export function compareIsoDates(a: IsoDate, b: IsoDate): number {
  return utcMs(a) - utcMs(b);
}

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export function isoWeekday(iso: IsoDate): number {
  const day = new Date(utcMs(iso)).getUTCDay(); // 0 = Sunday
  return day === 0 ? 7 : day;
}

/** The Monday of the week containing `iso` (weeks start on Monday in Italy). */
export function startOfWeek(iso: IsoDate): IsoDate {
  return addDays(iso, 1 - isoWeekday(iso));
}

/** The seven days, Monday to Sunday, of the week containing `iso`. */
export function weekOf(iso: IsoDate): IsoDate[] {
  const monday = startOfWeek(iso);
  return Array.from({ length: 7 }, (_, i) => addDays(monday, i));
}

export interface IsoWeek {
  /** The ISO week-numbering year (2027 for 2026-12-28 … ; 2020 for 2021-01-01). */
  year: number;
  /** 1–53 */
  week: number;
}

/** ISO 8601 week number: weeks start on Monday, week 1 holds the first Thursday. */
export function isoWeek(iso: IsoDate): IsoWeek {
  const thursday = addDays(iso, 4 - isoWeekday(iso));
  const year = parseIsoDate(thursday).year;
  const firstJan = toIsoDate({ year, month: 1, day: 1 });
  return { year, week: Math.floor(daysBetween(firstJan, thursday) / 7) + 1 };
}

function pad2(n: number): string {
  return String(n).padStart(2, "0");
}
