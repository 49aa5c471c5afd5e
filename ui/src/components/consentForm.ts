/**
 * The legal basis section of a new family (GDPR arts. 6, 7, 9): the draft
 * the form edits, its rules (the same as the core's, so the volunteer hears
 * about a missing field before anything is sent) and the record sent to
 * `registerFamily`.
 */
import type { ConsentScope, LegalBasis, NewConsent, PersonId, SpecialCondition } from "../bindings";
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
  | "guardianRequired";

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

/** The record for `registerFamily`; call only when [`consentErrors`] is empty. */
export function toNewConsent(d: ConsentDraft, minor: boolean): NewConsent {
  const scopes: ConsentScope[] = [];
  if (d.photos) scopes.push("photos");
  if (d.contact) scopes.push("contact");
  return {
    basis: d.basis === "" ? "consent" : d.basis,
    special: d.special === "" ? null : d.special,
    notice_version: d.notice.trim(),
    date: d.date,
    collected_by: d.collectedBy,
    guardian: minor && d.guardian.trim() !== "" ? { kind: "named", name: d.guardian.trim() } : null,
    scopes,
  };
}
