/** Erasing a family (GDPR art. 17), on the family's page (Italian). */
export const erasure = {
  heading: "Cancellazione dei dati",
  explain:
    "Cancella tutti i dati personali della famiglia da questo computer, dall'hub e da ogni altro computer quando si sincronizzano. Resta solo il codice {code}, e i totali degli indicatori continuano a contarla. Non si può annullare.",
  explainRequest:
    "Chiedi al coordinamento di cancellare i dati personali della famiglia: la richiesta arriva con la prossima sincronizzazione e la cancellazione la conferma il coordinamento.",
  notAllowed: "Solo il coordinamento (o un responsabile, con una richiesta) può cancellare una famiglia.",
  reason: "Motivo",
  reasonRequest: "Richiesta della famiglia (art. 17)",
  reasonWithdrawal: "Revoca del consenso",
  reasonRetention: "Termine di conservazione scaduto",
  reasonOther: "Altro motivo",
  confirmLabel: "Per confermare scrivi il codice della famiglia ({code})",
  confirmMismatch: "Il codice non corrisponde.",
  erase: "Cancella la famiglia",
  request: "Chiedi la cancellazione",
  erased: "Famiglia {code} cancellata.",
  requested: "Richiesta di cancellazione per {code} registrata: la conferma il coordinamento.",
} as const;
