import type { PresenceRecord } from "../../bindings";

/** "09:30:00" (a NaiveTime as Rust sends it) → "09:30"; nothing → "". */
export function hhmm(time: string | null): string {
  return time ? time.slice(0, 5) : "";
}

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/** What the coordinator typed for one attendee. */
export interface PresenceForm {
  arrival: string;
  departure: string;
  minutes: string;
}

/** The form of a recorded presence. */
export function formOf(record: PresenceRecord): PresenceForm {
  return {
    arrival: hhmm(record.arrival),
    departure: hhmm(record.departure),
    minutes: record.minutes === null ? "" : String(record.minutes),
  };
}

/** Which field of the form is malformed, if any (the rule itself is the Rust side's). */
export function formErrors(form: PresenceForm): { arrival?: true; departure?: true; minutes?: true } {
  const bad: { arrival?: true; departure?: true; minutes?: true } = {};
  if (form.arrival.trim() !== "" && !TIME.test(form.arrival.trim())) bad.arrival = true;
  if (form.departure.trim() !== "" && !TIME.test(form.departure.trim())) bad.departure = true;
  const m = form.minutes.trim();
  if (m !== "" && !/^\d{1,4}$/.test(m)) bad.minutes = true;
  return bad;
}

/**
 * The `PresenceRecord` the form describes (empty fields are absent), or
 * `null` while a field is malformed. Times go as `HH:MM:00`, as Rust reads them.
 */
export function recordFrom(form: PresenceForm): PresenceRecord | null {
  if (Object.keys(formErrors(form)).length > 0) return null;
  const time = (s: string) => (s.trim() === "" ? null : `${s.trim()}:00`);
  const m = form.minutes.trim();
  return { arrival: time(form.arrival), departure: time(form.departure), minutes: m === "" ? null : Number(m) };
}

/** A threshold as typed, or `null` unless a whole number from 1 to 100. */
export function thresholdFrom(text: string): number | null {
  const t = text.trim();
  if (!/^\d{1,3}$/.test(t)) return null;
  const n = Number(t);
  return n >= 1 && n <= 100 ? n : null;
}
