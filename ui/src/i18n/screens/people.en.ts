import type { Catalogue } from "../catalogue";

/** Staff and volunteers: the roster and the form to add someone. */
export const people: Catalogue["people"] = {
  labLede: "The people working at lab {lab}.",
  allLabsLede: "Staff and volunteers of every lab.",
  roster: "Roster",
  allLabs: "All labs",
  empty: "Nobody listed.",
  code: "Code",
  name: "Name",
  role: "Role",
  organisation: "Organisation",
  phone: "Phone",
  labs: "Labs",
  roles: {
    operator: "Operator",
    volunteer: "Volunteer",
  },
  form: {
    title: "Add an operator or a volunteer",
    firstName: "First name",
    lastName: "Last name",
    email: "E-mail",
    lab: "Lab",
    organisationHint: "The organisation or association they belong to.",
    firstRequired: "Enter the first name.",
    lastRequired: "Enter the last name.",
    checkField: "Check this field.",
    submit: "Add",
    added: "{name} was added to the roster.",
  },
};
