/** The unlock screen (Italian); its title and button are under `locked`. */
export const unlock = {
  passphrase: "Passphrase",
  empty: "Scrivi la passphrase.",
  forgot: "Ho dimenticato la passphrase",
  recoveryHeading: "Apri con la chiave di recupero",
  recoveryExplain:
    "Il coordinamento conserva una chiave di recupero per ogni progetto. Chiedila a loro e scrivila qui, com'è, trattini compresi.",
  recoveryKey: "Chiave di recupero",
  recoveryEmpty: "Scrivi la chiave di recupero.",
  recoverySubmit: "Apri con la chiave",
  backToPassphrase: "Torna alla passphrase",
  /** The step that follows a recovery unlock: it cannot be skipped. */
  newPassphrase: {
    title: "Scegli una nuova passphrase",
    body: "Il registro si è aperto con la chiave di recupero. La vecchia passphrase non serve più: scegline una nuova prima di continuare.",
    label: "Nuova passphrase",
    confirm: "Ripeti la nuova passphrase",
    submit: "Salva e apri il registro",
    saved: "Nuova passphrase salvata: da ora si apre con questa.",
    expired: "Il registro si è richiuso prima del cambio: aprilo di nuovo con la chiave di recupero.",
  },
} as const;
