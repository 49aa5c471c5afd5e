/**
 * The start and end of the last meeting the volunteer set, offered for the
 * next new meeting (labs meet at the same hours week after week). Kept in
 * the webview's storage: two times, nothing personal.
 */

const KEY = "taccuino.meetings.lastTimes";
export const DEFAULT_TIMES = { start: "17:00", end: "19:00" } as const;

export interface Times {
  /** `HH:MM` */
  start: string;
  /** `HH:MM` */
  end: string;
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

export function lastTimes(): Times {
  try {
    const raw = globalThis.localStorage?.getItem(KEY);
    if (raw) {
      const v = JSON.parse(raw) as Partial<Times>;
      if (typeof v.start === "string" && typeof v.end === "string" && HHMM.test(v.start) && HHMM.test(v.end) && v.start < v.end) {
        return { start: v.start, end: v.end };
      }
    }
  } catch {
    // Storage unavailable or garbled: the defaults.
  }
  return { ...DEFAULT_TIMES };
}

export function rememberTimes(times: Times): void {
  try {
    globalThis.localStorage?.setItem(KEY, JSON.stringify(times));
  } catch {
    // Not worth bothering anyone about.
  }
}

/**
 * What a person typed into a time field, as `HH:MM`, or null: `17:30`,
 * `9:05`, `17.30` (where the webview shows a plain text box).
 */
export function parseTime(text: string): string | null {
  const m = /^\s*(\d{1,2})[:.](\d{2})(?::\d{2})?\s*$/.exec(text);
  if (!m) return null;
  const v = `${m[1]?.padStart(2, "0")}:${m[2]}`;
  return HHMM.test(v) ? v : null;
}
