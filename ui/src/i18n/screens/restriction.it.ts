/** Restriction of processing (GDPR art. 18), on the family's page (Italian). */
export const restriction = {
  heading: "Limitazione del trattamento",
  explain:
    "I dati della famiglia restano conservati ma non si possono più modificare e non compaiono in nessuna esportazione; gli indicatori continuano a contarla. Si usa, per esempio, quando la famiglia revoca il consenso e chiede di conservare i dati invece di cancellarli.",
  restricted: "Il trattamento è limitato: i dati non si possono modificare e non compaiono nelle esportazioni.",
  reason: "Motivo",
  reasonWithdrawal: "Revoca del consenso, con richiesta di conservare i dati",
  reasonAccuracy: "La famiglia contesta l'esattezza dei dati (art. 18.1.a)",
  reasonObjection: "Opposizione in corso di verifica (art. 18.1.d)",
  reasonLegalClaims: "Dati necessari per far valere un diritto (art. 18.1.c)",
  reasonUnlawful: "Trattamento illecito, la famiglia si oppone alla cancellazione (art. 18.1.b)",
  apply: "Limita il trattamento",
  lift: "Rimuovi la limitazione",
  applied: "Trattamento della famiglia {code} limitato.",
  lifted: "Limitazione della famiglia {code} rimossa.",
} as const;
