/**
 * The legal basis section of a new family (GDPR arts. 6, 7, 9): the draft
 * the form edits, its rules (the same as the core's, so the volunteer hears
 * about a missing field before anything is sent) and the record sent to
 * `registerFamily`.
 */
import type {
  Consent,
  ConsentScope,
  Household,
  LegalBasis,
  MemberId,
  NewConsent,
  PersonId,
  SpecialCondition,
} from "../bindings";
import { isIsoDate, type IsoDate } from "../lib/dates";

/** The notice version prefilled when the project has none of its own. */
export const DEFAULT_NOTICE_VERSION = "2026-01";

/** Art. 6 bases, in the order the select shows them. */
export const LEGAL_BASES: readonly LegalBasis[] = [
  "consent",
  "public_task",
  "legitimate_interest",
  "vital_interest",
  "legal_obligation",
];

/** Art. 9 conditions, in the order the select shows them. */
export const SPECIAL_CONDITIONS: readonly SpecialCondition[] = [
  "explicit_consent",
  "social_protection",
  "social_care",
  "vital_interest",
  "public_interest",
];

export interface ConsentDraft {
  /** "" until the volunteer chooses. */
  basis: LegalBasis | "";
  /** "" for none. */
  special: SpecialCondition | "";
  notice: string;
  date: string;
  /** "" until chosen. */
  collectedBy: PersonId | "";
  /** Who signs for the minor (only when the reference person is one). */
  guardian: string;
  photos: boolean;
  contact: boolean;
}

export type ConsentField = "basis" | "notice" | "date" | "collectedBy" | "guardian";

/** What is wrong, as catalogue keys under `newFamily.consent.errors`. */
export type ConsentError =
  | "basisRequired"
  | "noticeRequired"
  | "dateRequired"
  | "dateFuture"
  | "collectedByRequired"
  | "guardianRequired"
  | "guardianChoose"
  | "dateBeforeCurrent";

export function emptyConsent(today: IsoDate, notice = DEFAULT_NOTICE_VERSION): ConsentDraft {
  return {
    basis: "",
    special: "",
    notice,
    date: today,
    collectedBy: "",
    guardian: "",
    photos: false,
    contact: false,
  };
}

/** Under 18 during the year of `on` (only the birth year is known, as in the core). */
export function isMinorOn(birthYear: number | null | undefined, on: string): boolean {
  if (birthYear === null || birthYear === undefined || !isIsoDate(on)) return false;
  return Number(on.slice(0, 4)) - birthYear < 18;
}

/**
 * The rules of the section. `minor`: the reference person is a minor on the
 * record's date, so someone else must sign for her.
 */
export function consentErrors(
  d: ConsentDraft,
  today: IsoDate,
  minor: boolean,
): Partial<Record<ConsentField, ConsentError>> {
  const out: Partial<Record<ConsentField, ConsentError>> = {};
  if (d.basis === "") out.basis = "basisRequired";
  if (d.notice.trim() === "") out.notice = "noticeRequired";
  if (!isIsoDate(d.date)) out.date = "dateRequired";
  else if (d.date > today) out.date = "dateFuture";
  if (d.collectedBy === "") out.collectedBy = "collectedByRequired";
  if (minor && d.guardian.trim() === "") out.guardian = "guardianRequired";
  return out;
}

/** The core's names for the section's fields (`Invalid { field }` goes next to the field). */
export const CONSENT_SERVER_FIELDS: Readonly<Record<string, ConsentField>> = {
  "household.consent.basis": "basis",
  "household.consent.notice_version": "notice",
  "household.consent.date": "date",
  "household.consent.collected_by": "collectedBy",
  "household.consent.guardian": "guardian",
};

/** The parts of a record that registration and renewal build alike (all but the guardian). */
function recordOf(d: ConsentDraft) {
  const scopes: ConsentScope[] = [];
  if (d.photos) scopes.push("photos");
  if (d.contact) scopes.push("contact");
  return {
    basis: d.basis === "" ? ("consent" as const) : d.basis,
    special: d.special === "" ? null : d.special,
    notice_version: d.notice.trim(),
    date: d.date,
    collected_by: d.collectedBy,
    scopes,
  };
}

/** The record for `registerFamily`; call only when [`consentErrors`] is empty. */
export function toNewConsent(d: ConsentDraft, minor: boolean): NewConsent {
  return {
    ...recordOf(d),
    guardian: minor && d.guardian.trim() !== "" ? { kind: "named", name: d.guardian.trim() } : null,
  };
}

/** The guardian choice of a renewal that names someone outside the family. */
export const GUARDIAN_OTHER = "other";

/**
 * A renewed record (a newer notice, other scopes, a guardian for a child
 * born since): the registration's draft and who signs for the minors, an
 * adult member of the family (by id), [`GUARDIAN_OTHER`] (then `guardian`
 * holds the name) or "" for none.
 */
export interface RenewalDraft extends ConsentDraft {
  guardianChoice: MemberId | typeof GUARDIAN_OTHER | "";
}

/**
 * The form of a renewal, filled from the family's current record (basis,
 * art. 9 condition, notice, guardian, scopes) and dated `today`, collected
 * by `operator` when the app knows who is using it. A family with no record
 * starts from an empty one.
 */
export function renewalDraft(
  current: Consent | null,
  today: IsoDate,
  operator: PersonId | null,
  notice = DEFAULT_NOTICE_VERSION,
): RenewalDraft {
  const base = { ...emptyConsent(today, current?.notice_version || notice), collectedBy: operator ?? "" };
  if (!current) return { ...base, guardianChoice: "" };
  const g = current.guardian;
  return {
    ...base,
    basis: current.basis,
    special: current.special ?? "",
    guardian: g?.kind === "named" ? g.name : "",
    guardianChoice: g === null ? "" : g.kind === "member" ? g.member : GUARDIAN_OTHER,
    photos: current.scopes.includes("photos"),
    contact: current.scopes.includes("contact"),
  };
}

/** Whether a member of the family is a minor on the record's date (then a guardian signs). */
export function hasMinorOn(family: Household, on: string): boolean {
  return family.members.some((m) => isMinorOn(m.birth_year, on));
}

/** The members who may sign as guardian on `on`: not minors on that date. */
export function possibleGuardians(family: Household, on: string) {
  return family.members.filter((m) => !isMinorOn(m.birth_year, on));
}

/**
 * The rules of a renewal: those of registration, a guardian when a member
 * is a minor on the record's date (an adult member or a named person), and
 * a date no earlier than that of the record it replaces (the core refuses
 * one that would turn the family's record back in time).
 */
export function renewalErrors(
  d: RenewalDraft,
  today: IsoDate,
  family: Household,
): Partial<Record<ConsentField, ConsentError>> {
  const out = consentErrors(d, today, false);
  const current = family.consent?.date;
  if (!out.date && current !== undefined && d.date < current) out.date = "dateBeforeCurrent";
  const minors = isIsoDate(d.date) && hasMinorOn(family, d.date);
  if (d.guardianChoice === GUARDIAN_OTHER && d.guardian.trim() === "") out.guardian = "guardianRequired";
  else if (minors && d.guardianChoice === "") out.guardian = "guardianChoose";
  return out;
}

/** The record for `renewConsent`; call only when [`renewalErrors`] is empty. */
export function toConsent(d: RenewalDraft): Consent {
  return {
    ...recordOf(d),
    guardian:
      d.guardianChoice === ""
        ? null
        : d.guardianChoice === GUARDIAN_OTHER
          ? { kind: "named", name: d.guardian.trim() }
          : { kind: "member", member: d.guardianChoice },
  };
}
