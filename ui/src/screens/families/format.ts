/**
 * Pure helpers of the family page: ages, the attendance history by
 * meeting, and readable names for conflicting fields.
 */
import type { AttendanceEntry, Household, MeetingId } from "../../bindings";
import type { Translate } from "../../i18n";
import { parseIsoDate, type IsoDate } from "../../lib/dates";

/** Under 18 during `today`'s year (only the birth year is known, as in the indicators). */
export function isMinor(birthYear: number | null, today: IsoDate): boolean {
  if (birthYear === null) return false;
  return parseIsoDate(today).year - birthYear < 18;
}

/** One meeting in a family's history, with the members who were there. */
export interface MeetingAttendance {
  meeting: MeetingId;
  date: IsoDate;
  activity: string;
  lab: string;
  members: string[];
}

/**
 * The attendance history one line per meeting, newest first (the Rust side
 * sends one entry per member and meeting, oldest first).
 */
export function byMeeting(entries: readonly AttendanceEntry[]): MeetingAttendance[] {
  const out = new Map<MeetingId, MeetingAttendance>();
  for (const e of entries) {
    const row = out.get(e.meeting);
    if (row) {
      if (!row.members.includes(e.member)) row.members.push(e.member);
    } else {
      out.set(e.meeting, { meeting: e.meeting, date: e.date, activity: e.activity, lab: e.lab, members: [e.member] });
    }
  }
  return [...out.values()].sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : 0));
}

/** "Maria Rossi" for a member id of the family, or null (a member of a merged-away family). */
export function memberName(household: Household, id: string): string | null {
  const m = household.members.find((x) => x.id === id);
  return m ? `${m.first_name} ${m.last_name}`.trim() : null;
}

const MEMBER_FIELDS = ["first_name", "last_name", "birth_year"] as const;
const CONTACT_FIELDS = ["phone", "email", "address"] as const;
const CONSENT_FIELDS = ["date", "scopes", "notice_version"] as const;
const PATHWAY_FIELDS = ["kind", "start", "end", "status", "operator", "notes"] as const;

function oneOf<T extends string>(list: readonly T[], value: string | undefined): value is T {
  return value !== undefined && (list as readonly string[]).includes(value);
}

/**
 * The name of a field where two computers entered different values, from
 * its path in the family's document (`members.<id>.first_name`,
 * `contacts.phone`, `pathways.<id>.status`); the path itself when unknown.
 */
export function conflictLabel(path: string, household: Household, t: Translate): string {
  const [head, second, third] = path.split(".");
  if (head === "contacts" && oneOf(CONTACT_FIELDS, second)) return t(`families.contacts.${second}`);
  if (head === "consent" && oneOf(CONSENT_FIELDS, second)) return t(`families.conflicts.consent.${second}`);
  if (head === "members" && second !== undefined && oneOf(MEMBER_FIELDS, third)) {
    const field = t(`families.conflicts.member.${third}`);
    const name = memberName(household, second);
    return name ? t("families.conflicts.ofMember", { field, name }) : field;
  }
  if (head === "pathways" && second !== undefined && oneOf(PATHWAY_FIELDS, third)) {
    const field = t(`families.conflicts.pathway.${third}`);
    const p = household.pathways.find((x) => x.id === second);
    return p ? t("families.conflicts.ofPathway", { field, kind: t(`families.pathways.kinds.${p.kind}`) }) : field;
  }
  if (head === "areas" && second === undefined) return t("families.areas.title");
  if (head === "referral" && second === undefined) return t("families.areas.referral");
  if (head === "reference" && second === undefined) return t("families.members.reference");
  return path;
}
