/** The top bar and the app's start (Italian). */
export const shell = {
  lab: "Laboratorio",
  labPicker: "Laboratorio mostrato",
  noLab: "Nessun laboratorio",
  starting: "Avvio di Taccuino…",
  startFailedTitle: "Taccuino non riesce a partire",
  startFailedBody: "Riprova; se il problema resta, chiama il coordinamento e leggi loro il dettaglio qui sotto.",
  retry: "Riprova",
  lockedByIdle: {
    one: "Registro bloccato dopo {n} minuto senza attività.",
    other: "Registro bloccato dopo {n} minuti senza attività.",
  },
} as const;
