/** Choosing a passphrase: first run and settings (Italian). */
export const passphrase = {
  label: "Passphrase",
  confirm: "Ripeti la passphrase",
  hint: "Almeno {min} caratteri. Va bene una frase facile da ricordare, per esempio «quaderno a righe 7».",
  explain:
    "La passphrase protegge i dati delle famiglie: se la perdi, il registro si riapre solo con la chiave di recupero del coordinamento.",
  tooShort: {
    one: "Servono almeno {n} carattere.",
    other: "Servono almeno {n} caratteri.",
  },
  mismatch: "Le due passphrase non sono uguali.",
  show: "Mostra la passphrase",
} as const;
