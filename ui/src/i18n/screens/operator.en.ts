import type { Catalogue } from "../catalogue";

/** "Who is using the register?" (English). */
export const operator: Catalogue["operator"] = {
  title: "Who is using the register?",
  lede: "The audit trail records who creates, changes, exports or erases data: this computer and, if you say, the person using it. It holds until the register locks.",
  lab: "Staff and volunteers of the lab {lab}",
  allLabs: "Staff and volunteers of every lab",
  lastTime: "chosen last time",
  empty: "Nobody is on the list yet: add people under “Staff and volunteers”.",
  loadError: "The list of people could not be read.",
  confirm: "Continue",
  confirmAs: "Continue as {name}",
  chooseFirst: "Choose your name from the list, or “I'd rather not say”.",
  skip: "I'd rather not say",
  header: "Using the register:",
  nobody: "Say who you are",
  change: "Change the person using the register",
};
