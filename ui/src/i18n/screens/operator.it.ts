/** "Chi sta usando il registro?": the person the audit trail names (Italian). */
export const operator = {
  title: "Chi sta usando il registro?",
  lede: "Il registro delle attività annota chi crea, modifica, esporta o cancella i dati: questo computer e, se lo indichi, la persona che lo usa. Vale fino a quando il registro si blocca.",
  lab: "Operatori e volontari del laboratorio {lab}",
  allLabs: "Operatori e volontari di tutti i laboratori",
  lastTime: "scelta l'ultima volta",
  empty: "Non c'è ancora nessuno in elenco: si aggiunge in «Operatori e volontari».",
  loadError: "Impossibile leggere l'elenco delle persone.",
  confirm: "Continua",
  confirmAs: "Continua come {name}",
  chooseFirst: "Scegli il tuo nome dall'elenco, oppure «Preferisco non indicarlo».",
  skip: "Preferisco non indicarlo",
  header: "Chi usa il registro:",
  nobody: "Indica chi sei",
  change: "Cambia la persona che usa il registro",
} as const;
