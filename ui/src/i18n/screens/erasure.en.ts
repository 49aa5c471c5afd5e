import type { Catalogue } from "../catalogue";

/** Erasing a family (GDPR art. 17), on the family's page (English). */
export const erasure: Catalogue["erasure"] = {
  heading: "Erasing the data",
  explain:
    "Erases all of the family's personal data from this computer, from the hub and from every other computer as they sync. Only the code {code} is left, and the indicators' totals still count it. It cannot be undone.",
  explainRequest:
    "Ask the coordinators to erase the family's personal data: the request travels with the next sync and the coordinators confirm the erasure.",
  notAllowed: "Only the coordinators (or a lead, with a request) can erase a family.",
  reason: "Reason",
  reasonRequest: "The family's request (art. 17)",
  reasonWithdrawal: "Consent withdrawn",
  reasonRetention: "Retention period over",
  reasonOther: "Another reason",
  confirmLabel: "To confirm, type the family's code ({code})",
  confirmMismatch: "The code does not match.",
  erase: "Erase the family",
  request: "Ask for erasure",
  erased: "Family {code} erased.",
  requested: "Erasure request for {code} recorded: the coordinators confirm it.",
};
