import type { Catalogue } from "../catalogue";

/** Settings (English). */
export const settings: Catalogue["settings"] = {
  languageHeading: "Language",
  languageHint: "The language of the whole application, on this computer.",
  labHeading: "This computer's lab",
  labHint: "On opening, meetings and families are those of this lab.",
  onlyLab: "This register has a single lab: {name}.",
  noLab: "This register has no labs yet.",
  labChanged: "You are now seeing the lab “{name}”.",
  passphraseHeading: "Change the passphrase",
  passphraseIntro: "You need the current passphrase. Whoever uses this computer will need to know the new one.",
  oldPassphrase: "Current passphrase",
  newPassphrase: "New passphrase",
  confirmPassphrase: "Repeat the new passphrase",
  oldEmpty: "Type the current passphrase.",
  change: "Change the passphrase",
  changed: "Passphrase changed.",
  wrongOld: "The current passphrase is not correct.",
  recovery: {
    heading: "The coordinators' recovery key",
    explain:
      "The coordinators keep the secret half of the key; the public half is added here. If the passphrase is forgotten, the coordinators can reopen the register with their half.",
    list: "Keys that can reopen this register",
    loading: "Reading the keys…",
    none: "No recovery key: if the passphrase is lost, the register can no longer be opened.",
    public: "The coordinators' public key",
    publicHint: "Starts with tcr1-: paste it as it is, from the coordinators' message.",
    publicEmpty: "Paste the public key.",
    publicPrefix: "The public key starts with tcr1-.",
    secretGiven:
      "This is the secret half (TCS1-…): it must stay with the coordinators. The public one goes here, starting with tcr1-.",
    publicInvalid: "This key is not valid: check that you copied all of it.",
    passphraseHint: "Needed because the key opens a second way into the register.",
    add: "Add the key",
    added: "Recovery key added.",
  },
};
