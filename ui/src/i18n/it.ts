import { shell } from "./screens/shell.it";
import { families } from "./screens/families.it";
import { people } from "./screens/people.it";
import { operator } from "./screens/operator.it";
import { training } from "./screens/training.it";
import { indicators } from "./screens/indicators.it";
import { exportsTexts } from "./screens/exports.it";
import { sync } from "./screens/sync.it";
import { conflicts } from "./screens/conflicts.it";
import { devices } from "./screens/devices.it";
import { volunteers } from "./screens/volunteers.it";
import { widgets } from "./screens/widgets.it";
import { settings } from "./screens/settings.it";
import { newFamily } from "./screens/newFamily.it";
import { erasure } from "./screens/erasure.it";
import { restriction } from "./screens/restriction.it";
import { privacy } from "./screens/privacy.it";
import { meetings } from "./screens/meetings.it";
import { unlock } from "./screens/unlock.it";
import { firstRun } from "./screens/firstRun.it";
import { passphrase } from "./screens/passphrase.it";

/**
 * The Italian catalogue: the source of truth for every text the UI shows.
 *
 * Rules (see README.md, "Texts and translations"):
 * - Group keys by screen or purpose; a key is the dotted path to a leaf,
 *   e.g. `t("sections.meetings")`.
 * - A leaf is either a string or a plural object with CLDR categories
 *   (`one`, `other`, and optionally `zero`, `two`, `few`, `many`); `other` is
 *   required and is reserved: never use `other` as the name of a group.
 * - `{name}` in a string is a parameter: `t("app.titleWithSection", { section })`.
 *   Plural leaves always take `n` (the count that picks the form).
 * - Add every key here first, then in `en.ts`: the compiler refuses an
 *   English catalogue with a missing or extra key.
 */
export const it = {
  app: {
    name: "Taccuino",
    titleWithSection: "{section} · Taccuino",
    skipToContent: "Vai al contenuto principale",
    sectionsNav: "Sezioni",
    labFallback: "Laboratorio di comunità",
    lock: "Blocca",
    lockDescription: "Blocca il registro: per riaprirlo servirà la passphrase",
    help: "Aiuto",
    helpDescription: "Scorciatoie da tastiera (tasto ?)",
    language: "Lingua",
  },
  languages: {
    it: "Italiano",
    en: "English",
  },
  sections: {
    meetings: "Incontri",
    families: "Famiglie",
    people: "Operatori e volontari",
    training: "Formazione",
    sync: "Sincronizzazione",
    indicators: "Indicatori",
    exports: "Esportazioni",
    settings: "Impostazioni",
    privacy: "Riservatezza",
    devices: "Dispositivi",
    conflicts: "Modifiche in conflitto",
    volunteers: "Registro dei volontari",
  },
  locked: {
    title: "Il registro è bloccato",
    body: "I dati sono cifrati su questo computer. Inserisci la passphrase per riaprirlo.",
    unlock: "Sblocca",
  },
  help: {
    title: "Scorciatoie da tastiera",
    intro: "Tutta l'applicazione si usa anche solo con la tastiera.",
    keyColumn: "Tasti",
    actionColumn: "Azione",
    goToSection: "Vai a «{section}»",
    openHelp: "Apri questo aiuto",
    closeDialog: "Chiudi la finestra aperta",
    nextControl: "Passa al comando successivo (Maiusc+Tab: al precedente)",
    skipLink: "Dall'inizio della pagina, Tab e Invio: salta al contenuto",
    altKey: "Alt",
    escKey: "Esc",
    tabKey: "Tab",
  },
  common: {
    close: "Chiudi",
    cancel: "Annulla",
    save: "Salva",
    saved: "Salvato",
    loading: "Caricamento…",
    search: "Cerca",
    clearSearch: "Cancella la ricerca",
    dismiss: "Chiudi il messaggio",
    required: "obbligatorio",
    details: "Dettagli",
    notifications: "Notifiche",
    loadFailed: "Impossibile caricare questi dati.",
    retry: "Riprova",
  },
  counts: {
    families: { one: "{n} famiglia", other: "{n} famiglie" },
    meetings: { one: "{n} incontro", other: "{n} incontri" },
    people: { one: "{n} persona", other: "{n} persone" },
    days: { one: "{n} giorno", other: "{n} giorni" },
    results: { one: "{n} risultato", other: "{n} risultati" },
  },
  dates: {
    week: "Settimana {week} del {year}",
  },
  errors: {
    generic: "Si è verificato un errore. Riprova; se si ripete, contatta il coordinamento.",
    locked: "Il registro è bloccato: sbloccalo con la passphrase.",
    noRegister: "Su questo computer non c'è ancora un registro.",
    registerExists: "Su questo computer esiste già un registro.",
    wrongPassphrase: "La passphrase non è corretta.",
    wrongRecoveryKey: "La chiave di recupero non è corretta.",
    weakPassphrase: {
      one: "La passphrase deve avere almeno {n} carattere.",
      other: "La passphrase deve avere almeno {n} caratteri.",
    },
    invalid: "Controlla il campo «{field}».",
    notFoundAny: "Quello che cerchi non c'è più: forse è stato eliminato.",
    notFound: {
      household: "Questa famiglia non c'è più: forse è stata eliminata o unita a un'altra.",
      lab: "Questo laboratorio non esiste.",
      meeting: "Questo incontro non c'è più: forse è stato eliminato.",
      member: "Questo componente della famiglia non c'è più: forse è stato eliminato.",
      pathway: "Questo percorso non c'è più: forse è stato eliminato.",
      person: "Questa persona non è più in elenco: forse è stata eliminata.",
      training: "Questa formazione non c'è più: forse è stata eliminata.",
      nomenclature_area: "Quest'area del nomenclatore non c'è più: forse è stata tolta su un altro computer.",
      activity_type: "Questo tipo di attività non esiste.",
    },
    merge: "Non è possibile unire queste due famiglie.",
    restricted:
      "La famiglia {code} è limitata (art. 18 GDPR): non si può modificare né segnare presente finché il coordinamento non toglie la limitazione.",
    codesExhausted: "Questo computer ha esaurito i codici: sincronizza per riceverne altri.",
    newerDatabase: "Il registro è stato scritto da una versione più recente di Taccuino: aggiorna l'applicazione.",
    cancelled: "Operazione annullata.",
    file: "Impossibile leggere o scrivere il file.",
    badFile: "Il file scelto è danneggiato o non è del tipo giusto.",
    internal: "Si è verificato un errore interno. Il dettaglio è nel registro tecnico.",
    notPaired: "Questo computer non è collegato all'hub.",
    offline: "L'hub non è raggiungibile: controlla la connessione e riprova più tardi.",
    unauthorized: "L'hub non riconosce questo computer: chiedi al coordinamento di collegarlo di nuovo.",
    revoked: "Il coordinamento ha revocato l'accesso di questo computer: chiedi prima di sincronizzare.",
    hubBusy: "L'hub ha interrotto questa sincronizzazione perché troppo lenta o troppo pesante: riprova tra un minuto.",
    forbidden: "Il tuo ruolo non consente questa operazione: chiedi al coordinamento.",
    erased: "La famiglia {code} è stata cancellata: ne resta solo il codice.",
    stale: "Questo computer non si sincronizza da più di {days} giorni: i dati delle famiglie restano chiusi finché non sincronizzi (Sincronizzazione → Sincronizza ora).",
    notDue: "La famiglia {code} non è più da cancellare (ha avuto attività nel frattempo): non è stato cancellato nulla, rivedi l'elenco.",
    volunteerErased: "La voce di questo volontario nel registro è stata cancellata: non si può più leggere né scrivere.",
    volunteerNotDue: "Una delle voci scelte non è più da cancellare (la data di fine è cambiata): non è stato cancellato nulla, rivedi l'elenco.",
    untrustedHub:
      "L'hub ha presentato un certificato diverso da quello del collegamento: la connessione potrebbe essere intercettata. Non sincronizzare e avvisa il coordinamento.",
    pairing: {
      unknown: "Codice di abbinamento sconosciuto: controllalo con il coordinamento.",
      used: "Questo codice di abbinamento è già stato usato: chiedine uno nuovo.",
      expired: "Questo codice di abbinamento è scaduto: chiedine uno nuovo.",
      rate_limited: "Troppi tentativi con codici sbagliati: aspetta un minuto e riprova.",
      code_incomplete: "Il codice è incompleto: sono tre gruppi di cinque caratteri, scrivili tutti.",
      code_mismatch:
        "Il codice non corrisponde a questo hub: ricontrolla l'ultimo gruppo di cinque caratteri. Se è giusto, la rete potrebbe essere intercettata: non collegarti da qui e avvisa il coordinamento.",
      any: "L'hub ha rifiutato il codice di abbinamento.",
    },
    devices: {
      not_allowed: "L'hub non consente questa operazione al ruolo di questo computer.",
      unknown_lab: "Questo laboratorio non è nel registro dell'hub: sincronizza e riprova.",
      unknown_device: "L'hub non conosce questo dispositivo (o è questo computer, che non può revocare sé stesso).",
      unknown_request: "La richiesta non è più aperta: qualcun altro del coordinamento l'ha già gestita.",
      invalid: "Ruolo e laboratorio non vanno insieme: un dispositivo del coordinamento non ha laboratorio, gli altri sì.",
      unavailable: "L'hub non ha potuto farlo adesso: riprova tra qualche minuto.",
      any: "L'hub ha rifiutato la richiesta.",
    },
    update: {
      malformed: "L'aggiornamento non è nel formato atteso: non è stato installato nulla.",
      unknown_key: "L'aggiornamento è firmato con una chiave che Taccuino non riconosce: non è stato installato nulla. Avvisa il coordinamento.",
      bad_signature: "La firma dell'aggiornamento non corrisponde: è stato modificato dopo la firma. Non è stato installato nulla; avvisa il coordinamento.",
      wrong_product: "Il file offerto non è un aggiornamento di Taccuino: non è stato installato nulla.",
      not_newer: "La versione offerta non è più recente di questa: non si torna indietro.",
      wrong_format: "L'aggiornamento offerto è per un altro tipo di installazione.",
      too_large: "Il file scaricato è più lungo di quello firmato: è stato scartato.",
      truncated: "Il download si è interrotto: riprova quando il collegamento è stabile.",
      digest_mismatch: "Il file scaricato non è quello firmato (modificato o danneggiato): è stato scartato. Avvisa il coordinamento.",
      no_offer: "L'hub non offre aggiornamenti a questo computer.",
      not_downloaded: "Scarica prima l'aggiornamento.",
      install_failed: "L'installazione non è riuscita o è stata annullata: Taccuino resta com'era.",
      any: "L'aggiornamento non è riuscito.",
    },
    versionMismatch: "L'hub e questo computer usano versioni diverse di Taccuino: vedi «Aggiornamenti» nella pagina Sincronizzazione.",
  },
  /** Field names as the core's validation reports them (`meeting.date`). */
  fields: {
    volunteer: {
      person: "Volontario",
      codice_fiscale: "Codice fiscale",
      birth_place: "Luogo di nascita",
      birth_date: "Data di nascita",
      residence: "Residenza o domicilio",
      start: "Inizio dell'attività",
      end: "Fine dell'attività",
      insurance_from: "Assicurato dal",
      insurance_to: "Assicurato al",
    },
    organisation: {
      name: "Nome dell'organizzazione",
    },
    nomenclature: {
      code: "Codice dell'area del nomenclatore",
      name: "Nome dell'area del nomenclatore",
    },
    meeting: {
      date: "Data dell'incontro",
      end: "Ora di fine",
      activity: "Attività",
      theme: "Tema",
      notes: "Note",
      guests: "Ospiti",
      facilitators: "Conduttori",
    },
    member: {
      first_name: "Nome",
      last_name: "Cognome",
      birth_year: "Anno di nascita",
    },
    person: {
      first_name: "Nome",
      last_name: "Cognome",
      organisation: "Ente",
    },
    training: {
      title: "Titolo",
      date: "Data",
      minutes: "Durata (minuti)",
      attendees: "Partecipanti",
      start: "Ora di inizio",
      arrival: "Entrata",
      departure: "Uscita",
      attended_minutes: "Minuti frequentati",
      completion_percent: "Soglia di completamento",
    },
    lab: {
      name: "Nome del laboratorio",
      number: "Numero del laboratorio",
      address: "Indirizzo",
    },
    pathway: {
      start: "Inizio del percorso",
      end: "Fine del percorso",
      operator: "Operatore di riferimento",
      notes: "Note sul percorso",
    },
    consent: {
      date: "Data del consenso",
    },
    household: {
      consent: {
        basis: "Base giuridica",
        date: "Data del consenso",
        notice_version: "Versione dell'informativa",
        collected_by: "Raccolto da",
        guardian: "Genitore o tutore",
        scopes: "Ambiti del consenso",
      },
      withdrawal: {
        date: "Data della revoca",
        scopes: "Consensi revocati",
        recorded_by: "Registrata da",
      },
      restriction: "Limitazione del trattamento",
    },
    period: {
      to: "Fine del periodo",
      year: "Anno",
    },
    hub: {
      url: "Indirizzo dell'hub",
    },
    recovery_public: "Chiave pubblica di recupero",
  },
  shell,
  families,
  people,
  operator,
  training,
  indicators,
  exports: exportsTexts,
  sync,
  devices,
  conflicts,
  volunteers,
  widgets,
  passphrase,
  firstRun,
  unlock,
  meetings,
  newFamily,
  erasure,
  restriction,
  privacy,
  settings,
} as const;
