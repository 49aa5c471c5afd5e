import type { Catalogue } from "../catalogue";

/** The unlock screen (English); its title and button are under `locked`. */
export const unlock: Catalogue["unlock"] = {
  passphrase: "Passphrase",
  empty: "Type the passphrase.",
  forgot: "I forgot the passphrase",
  recoveryHeading: "Open with the recovery key",
  recoveryExplain:
    "The coordinators keep a recovery key for each project. Ask them for it and type it here as it is, dashes included.",
  recoveryKey: "Recovery key",
  recoveryEmpty: "Type the recovery key.",
  recoverySubmit: "Open with the key",
  backToPassphrase: "Back to the passphrase",
  newPassphrase: {
    title: "Choose a new passphrase",
    body: "The register opened with the recovery key. The old passphrase no longer works: choose a new one before going on.",
    label: "New passphrase",
    confirm: "Repeat the new passphrase",
    submit: "Save and open the register",
    saved: "New passphrase saved: from now on it opens with this one.",
    expired: "The register closed again before the change: open it again with the recovery key.",
  },
};
