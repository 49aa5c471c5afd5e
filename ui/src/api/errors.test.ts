import { describe, expect, it } from "vitest";
import { setLanguage } from "../i18n/store";
import { CommandError } from "./call";
import { errorDetails, errorMessage, fieldLabel, type AppError } from "./errors";

describe("errorMessage", () => {
  it("translates each kind in Italian", () => {
    expect(errorMessage({ kind: "wrong_passphrase" })).toBe("La passphrase non è corretta.");
    expect(errorMessage({ kind: "locked" })).toBe("Il registro è bloccato: sbloccalo con la passphrase.");
    expect(errorMessage({ kind: "not_found", what: "household" })).toBe(
      "Questa famiglia non c'è più: forse è stata eliminata o unita a un'altra.",
    );
    expect(errorMessage({ kind: "not_found", what: "gizmo" })).toBe(
      "Quello che cerchi non c'è più: forse è stato eliminato.",
    );
    expect(
      errorMessage({ kind: "invalid", field: "meeting.date", reason: "2031-01-01 is more than a year from today" }),
    ).toBe("Controlla il campo «Data dell'incontro».");
    expect(errorMessage({ kind: "weak_passphrase", min_chars: 12 })).toBe(
      "La passphrase deve avere almeno 12 caratteri.",
    );
    expect(errorMessage({ kind: "weak_passphrase", min_chars: 1 })).toBe(
      "La passphrase deve avere almeno 1 carattere.",
    );
  });

  it("translates in English when the UI is in English", () => {
    setLanguage("en");
    expect(errorMessage({ kind: "wrong_passphrase" })).toBe("The passphrase is not correct.");
    expect(errorMessage({ kind: "not_found", what: "meeting" })).toBe(
      "This meeting is no longer there: it may have been deleted.",
    );
    expect(errorMessage({ kind: "invalid", field: "member.first_name", reason: "must not be empty" })).toBe(
      "Check the field “First name”.",
    );
    expect(errorMessage({ kind: "locked" }, "it")).toBe("Il registro è bloccato: sbloccalo con la passphrase.");
  });

  it("has a text for every kind", () => {
    const all: AppError[] = [
      { kind: "locked" },
      { kind: "no_register" },
      { kind: "register_exists" },
      { kind: "wrong_passphrase" },
      { kind: "wrong_recovery_key" },
      { kind: "weak_passphrase", min_chars: 10 },
      { kind: "invalid", field: "x", reason: "y" },
      { kind: "not_found", what: "lab" },
      { kind: "merge", reason: "r" },
      { kind: "codes_exhausted" },
      { kind: "newer_database" },
      { kind: "cancelled" },
      { kind: "file", detail: "/tmp/x: denied" },
      { kind: "bad_file", detail: "bad" },
      { kind: "internal", detail: "boom" },
    ];
    const generic = errorMessage(null);
    for (const err of all) {
      for (const lang of ["it", "en"] as const) {
        const text = errorMessage(err, lang);
        expect(text, err.kind).not.toBe(errorMessage(null, lang));
        expect(text, err.kind).not.toMatch(/[{}]/);
      }
    }
    expect(generic).toMatch(/errore/);
    // Raw paths and English details never reach the message.
    expect(errorMessage({ kind: "file", detail: "/home/anna/x: denied" })).not.toContain("/home");
  });

  it("falls back to the generic message", () => {
    const generic = "Si è verificato un errore. Riprova; se si ripete, contatta il coordinamento.";
    expect(errorMessage(undefined)).toBe(generic);
    expect(errorMessage(new Error("boom"))).toBe(generic);
    expect(errorMessage("command not found")).toBe(generic);
    expect(errorMessage({ kind: "storage", detail: "disk full" })).toBe(generic);
    expect(errorMessage({ kind: 42 })).toBe(generic);
    expect(errorMessage({ kind: "weak_passphrase" })).toBe(generic);
  });

  it("names unknown fields as given", () => {
    expect(fieldLabel("meeting.date")).toBe("Data dell'incontro");
    expect(fieldLabel("table")).toBe("table");
    expect(fieldLabel("meeting")).toBe("meeting"); // a group, not a text
  });
});

describe("errors thrown by call()", () => {
  it("are unwrapped to the Rust side's error", () => {
    const err = new CommandError({ kind: "wrong_passphrase" });
    expect(errorMessage(err)).toBe("La passphrase non è corretta.");
    expect(errorDetails(new CommandError({ kind: "internal", detail: "boom" }))).toBe("internal: boom");
  });
});

describe("errorDetails", () => {
  it("keeps the technical text for the details disclosure", () => {
    expect(errorDetails({ kind: "internal", detail: "database disk image is malformed" })).toBe(
      "internal: database disk image is malformed",
    );
    expect(errorDetails({ kind: "invalid", field: "meeting.end", reason: "before start" })).toBe(
      "invalid: meeting.end: before start",
    );
    expect(errorDetails(new Error("boom"))).toBe("boom");
    expect(errorDetails("text")).toBe("text");
    expect(errorDetails(null)).toBeUndefined();
  });
});
