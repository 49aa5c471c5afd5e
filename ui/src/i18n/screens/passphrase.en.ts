import type { Catalogue } from "../catalogue";

/** Choosing a passphrase: first run and settings (English). */
export const passphrase: Catalogue["passphrase"] = {
  label: "Passphrase",
  confirm: "Repeat the passphrase",
  hint: "At least {min} characters. An easy-to-remember phrase is fine, e.g. “lined notebook 7”.",
  explain:
    "The passphrase protects the families' data: if you lose it, the register can only be reopened with the coordinators' recovery key.",
  tooShort: {
    one: "It needs at least {n} character.",
    other: "It needs at least {n} characters.",
  },
  mismatch: "The two passphrases are not the same.",
  show: "Show the passphrase",
};
