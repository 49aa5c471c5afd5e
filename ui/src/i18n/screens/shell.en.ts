import type { Catalogue } from "../catalogue";

/** The top bar and the app's start (English). */
export const shell: Catalogue["shell"] = {
  lab: "Lab",
  labPicker: "Lab shown",
  noLab: "No lab",
  starting: "Starting Taccuino…",
  startFailedTitle: "Taccuino cannot start",
  startFailedBody: "Try again; if the problem stays, call the coordinators and read them the detail below.",
  retry: "Try again",
  lockedByIdle: {
    one: "Register locked after {n} minute without activity.",
    other: "Register locked after {n} minutes without activity.",
  },
};
