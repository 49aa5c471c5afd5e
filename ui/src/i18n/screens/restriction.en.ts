import type { Catalogue } from "../catalogue";

/** Restriction of processing (GDPR art. 18), on the family's page (English). */
export const restriction: Catalogue["restriction"] = {
  heading: "Restriction of processing",
  explain:
    "The family's data stay stored but can no longer be changed and appear in no export; the indicators still count the family. Used, for example, when the family withdraws its consent and asks for its data to be kept rather than erased.",
  restricted: "Processing is restricted: the data cannot be changed and appear in no export.",
  reason: "Reason",
  reasonWithdrawal: "Consent withdrawn, asking for the data to be kept",
  reasonAccuracy: "The family contests the accuracy of the data (art. 18(1)(a))",
  reasonObjection: "An objection is being verified (art. 18(1)(d))",
  reasonLegalClaims: "The data are needed for legal claims (art. 18(1)(c))",
  reasonUnlawful: "Unlawful processing, the family opposes erasure (art. 18(1)(b))",
  apply: "Restrict processing",
  lift: "Lift the restriction",
  applied: "Processing of family {code} restricted.",
  lifted: "Restriction of family {code} lifted.",
};
