/** Registering a family in a dialog, also from a meeting (Italian). */
export const newFamily = {
  title: "Nuova famiglia",
  intro: "Bastano nome e cognome della persona di riferimento: il resto si completa poi in «Famiglie».",
  first: "Nome",
  last: "Cognome",
  birthYear: "Anno di nascita",
  phone: "Telefono",
  optional: "facoltativo",
  save: "Registra",
  firstRequired: "Scrivi il nome.",
  lastRequired: "Scrivi il cognome.",
  badBirthYear: "Scrivi l'anno con quattro cifre, per esempio 1985.",
  registered: "Famiglia registrata con il codice {code}.",
} as const;
