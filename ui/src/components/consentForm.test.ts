import { describe, expect, it } from "vitest";
import { consentErrors, emptyConsent, isMinorOn, toNewConsent } from "./consentForm";

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
