import { describe, expect, it } from "vitest";
import { formErrors, formOf, hhmm, recordFrom, thresholdFrom } from "./presence";

describe("presence forms", () => {
  it("shows Rust's times as HH:MM and sends them back with seconds", () => {
    expect(hhmm("09:30:00")).toBe("09:30");
    expect(hhmm(null)).toBe("");
    const form = formOf({ arrival: "09:30:00", departure: null, minutes: null });
    expect(form).toEqual({ arrival: "09:30", departure: "", minutes: "" });
    expect(recordFrom({ ...form, departure: " 11:00 " })).toEqual({
      arrival: "09:30:00",
      departure: "11:00:00",
      minutes: null,
    });
    expect(recordFrom({ arrival: "", departure: "", minutes: "45" })).toEqual({
      arrival: null,
      departure: null,
      minutes: 45,
    });
  });

  it("sends nothing malformed, leaving the rule (order, bounds) to the Rust side", () => {
    expect(formErrors({ arrival: "9.30", departure: "24:00", minutes: "tre" })).toEqual({
      arrival: true,
      departure: true,
      minutes: true,
    });
    expect(recordFrom({ arrival: "9:30", departure: "", minutes: "" })).toBeNull();
    expect(recordFrom({ arrival: "", departure: "", minutes: "-5" })).toBeNull();
    // A departure before the arrival is well formed: the Rust side refuses it with its reason.
    expect(recordFrom({ arrival: "10:00", departure: "09:30", minutes: "" })).not.toBeNull();
  });

  it("takes a threshold from 1 to 100", () => {
    expect(thresholdFrom("80")).toBe(80);
    expect(thresholdFrom(" 100 ")).toBe(100);
    expect(thresholdFrom("0")).toBeNull();
    expect(thresholdFrom("101")).toBeNull();
    expect(thresholdFrom("8.5")).toBeNull();
    expect(thresholdFrom("")).toBeNull();
  });
});
