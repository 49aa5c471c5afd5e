import type { Catalogue } from "../catalogue";

/** Registering a family in a dialog, also from a meeting (English). */
export const newFamily: Catalogue["newFamily"] = {
  title: "New family",
  intro: "The reference person's first and last name are enough: complete the rest later in “Families”.",
  first: "First name",
  last: "Last name",
  birthYear: "Year of birth",
  phone: "Phone",
  optional: "optional",
  save: "Register",
  firstRequired: "Type the first name.",
  lastRequired: "Type the last name.",
  badBirthYear: "Type the year with four digits, e.g. 1985.",
  registered: "Family registered with code {code}.",
};
