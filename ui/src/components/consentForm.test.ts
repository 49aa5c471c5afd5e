import { describe, expect, it } from "vitest";
import type { Consent, Household } from "../bindings";
import {
  GUARDIAN_OTHER,
  consentErrors,
  emptyConsent,
  isMinorOn,
  possibleGuardians,
  renewalDraft,
  renewalErrors,
  toConsent,
  toNewConsent,
} from "./consentForm";

const TODAY = "2026-11-25";

describe("the legal basis section's rules", () => {
  it("requires the basis, the notice, a date not in the future and who collected it", () => {
    expect(consentErrors(emptyConsent(TODAY), TODAY, false)).toEqual({
      basis: "basisRequired",
      collectedBy: "collectedByRequired",
    });
    const d = { ...emptyConsent(TODAY), basis: "public_task" as const, collectedBy: "p1", notice: " " };
    expect(consentErrors(d, TODAY, false)).toEqual({ notice: "noticeRequired" });
    expect(consentErrors({ ...d, notice: "1.0", date: "2026-12-01" }, TODAY, false)).toEqual({ date: "dateFuture" });
    expect(consentErrors({ ...d, notice: "1.0", date: "" }, TODAY, false)).toEqual({ date: "dateRequired" });
    expect(consentErrors({ ...d, notice: "1.0" }, TODAY, false)).toEqual({});
  });

  it("requires a guardian for a minor, judged on the record's date", () => {
    const d = { ...emptyConsent(TODAY), basis: "consent" as const, collectedBy: "p1" };
    expect(isMinorOn(2011, TODAY)).toBe(true);
    expect(isMinorOn(2008, TODAY)).toBe(false);
    expect(isMinorOn(2008, "2025-06-01")).toBe(true);
    expect(isMinorOn(null, TODAY)).toBe(false);
    expect(consentErrors(d, TODAY, true)).toEqual({ guardian: "guardianRequired" });
    expect(consentErrors({ ...d, guardian: "Rita Sarti" }, TODAY, true)).toEqual({});
  });

  it("builds the record the core expects", () => {
    const d = { ...emptyConsent(TODAY), basis: "consent" as const, collectedBy: "p1", photos: true, guardian: "x" };
    expect(toNewConsent(d, false)).toEqual({
      basis: "consent",
      special: null,
      notice_version: "2026-01",
      date: TODAY,
      collected_by: "p1",
      guardian: null,
      scopes: ["photos"],
    });
    expect(toNewConsent(d, true).guardian).toEqual({ kind: "named", name: "x" });
  });
});

const RECORD: Consent = {
  basis: "public_task",
  special: "social_protection",
  notice_version: "2025-01",
  date: "2025-06-01",
  collected_by: "p1",
  guardian: null,
  scopes: ["data_processing", "photos"],
};

function family(years: (number | null)[], consent: Consent | null = RECORD): Household {
  return {
    id: "h",
    code: "PV01-0001",
    members: years.map((y, i) => ({ id: `m${i}`, first_name: "Anna", last_name: `R${i}`, birth_year: y })),
    consent,
  } as unknown as Household;
}

describe("renewing a family's record", () => {
  it("starts from the current record, dated today and collected by the operator", () => {
    const d = renewalDraft({ ...RECORD, guardian: { kind: "member", member: "m0" } }, TODAY, "p9");
    expect(d).toMatchObject({
      basis: "public_task",
      special: "social_protection",
      notice: "2025-01",
      date: TODAY,
      collectedBy: "p9",
      guardianChoice: "m0",
      guardian: "",
      photos: true,
      contact: false,
    });
    const named = renewalDraft({ ...RECORD, guardian: { kind: "named", name: "Rita Sarti" } }, TODAY, null);
    expect(named).toMatchObject({ guardianChoice: GUARDIAN_OTHER, guardian: "Rita Sarti", collectedBy: "" });
    // A family with no record starts from an empty one.
    expect(renewalDraft(null, TODAY, null)).toMatchObject({ basis: "", guardianChoice: "", notice: "2026-01" });
  });

  it("asks for a guardian when a member is a minor on the record's date, never a minor", () => {
    const f = family([1985, 2020]);
    const d = renewalDraft(RECORD, TODAY, "p1");
    expect(renewalErrors(d, TODAY, f)).toEqual({ guardian: "guardianChoose" });
    expect(possibleGuardians(f, TODAY).map((m) => m.id)).toEqual(["m0"]);
    expect(renewalErrors({ ...d, guardianChoice: "m0" }, TODAY, f)).toEqual({});
    expect(renewalErrors({ ...d, guardianChoice: GUARDIAN_OTHER, guardian: " " }, TODAY, f)).toEqual({
      guardian: "guardianRequired",
    });
    expect(renewalErrors({ ...d, guardianChoice: GUARDIAN_OTHER, guardian: "Rita Sarti" }, TODAY, f)).toEqual({});
    // Adults only: no guardian needed.
    expect(renewalErrors(d, TODAY, family([1985, null]))).toEqual({});
  });

  it("refuses a date before the current record's", () => {
    const f = family([1985]);
    const d = renewalDraft(RECORD, TODAY, "p1");
    expect(renewalErrors({ ...d, date: "2025-05-31" }, TODAY, f)).toEqual({ date: "dateBeforeCurrent" });
    expect(renewalErrors({ ...d, date: RECORD.date }, TODAY, f)).toEqual({});
    expect(renewalErrors({ ...d, date: "2025-05-31" }, TODAY, family([1985], null))).toEqual({});
  });

  it("builds the record the core expects", () => {
    const d = { ...renewalDraft(RECORD, TODAY, "p1"), notice: " 2026-09 ", contact: true };
    expect(toConsent({ ...d, guardianChoice: "m0" })).toEqual({
      basis: "public_task",
      special: "social_protection",
      notice_version: "2026-09",
      date: TODAY,
      collected_by: "p1",
      guardian: { kind: "member", member: "m0" },
      scopes: ["photos", "contact"],
    });
    expect(toConsent({ ...d, guardianChoice: GUARDIAN_OTHER, guardian: " Rita Sarti " }).guardian).toEqual({
      kind: "named",
      name: "Rita Sarti",
    });
    expect(toConsent({ ...d, guardianChoice: "" }).guardian).toBeNull();
  });
});
