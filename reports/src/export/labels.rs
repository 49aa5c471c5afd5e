//! Every word an export prints, in Italian and English, in one place:
//! column headers, sheet and file names, the words of the printed register,
//! and the labels of the domain's closed sets. Activity types carry their
//! own labels in the project document.

use serde::{Deserialize, Serialize};

use crdt_sync::{Area, ConsentScope, PathwayKind, PathwayStatus, ReferralSource};

/// The language of an export's headers and words.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Language {
    /// Italian (the default: the labs, the city and the funder are Italian).
    #[default]
    It,
    /// English.
    En,
}

macro_rules! labels {
    ($($(#[$doc:meta])* $name:ident => $it:literal, $en:literal;)+) => {
        /// A word or phrase of an export.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub(crate) enum Label { $($(#[$doc])* $name),+ }

        impl Label {
            /// The text in `lang`.
            pub(crate) fn text(self, lang: Language) -> &'static str {
                match (self, lang) {
                    $((Label::$name, Language::It) => $it, (Label::$name, Language::En) => $en,)+
                }
            }
        }
    };
}

labels! {
    // Tables: sheet names, and file names (lowercase, no spaces).
    SheetMeetings => "Incontri", "Meetings";
    SheetAttendance => "Presenze", "Attendance";
    SheetHouseholds => "Famiglie", "Households";
    SheetTrainings => "Formazione", "Trainings";
    SheetTrainingAttendance => "Frequenza formazione", "Training attendance";
    SheetIndicators => "Indicatori", "Indicators";
    SheetTargets => "Obiettivi", "Targets";
    FileMeetings => "incontri", "meetings";
    FileAttendance => "presenze", "attendance";
    FileHouseholds => "famiglie", "households";
    FileTrainings => "formazione", "trainings";
    FileTrainingAttendance => "frequenza_formazione", "training_attendance";
    FileIndicators => "indicatori", "indicators";
    FileTargets => "obiettivi", "targets";
    FileRegister => "registro", "register";
    FileRegisterMeeting => "registro_incontro", "meeting_register";

    // The half-yearly monitoring workbook (decision 0032).
    SheetMonPartners => "Enti partner", "Partners";
    SheetMonLabs => "Laboratori", "Labs";
    SheetMonTargets => "Obiettivi", "Targets";
    SheetMonStaff => "Formazione per ente", "Training by organisation";
    FileMonitoring => "monitoraggio", "monitoring";
    FileMonPartners => "monitoraggio_enti", "monitoring_partners";
    FileMonLabs => "monitoraggio_laboratori", "monitoring_labs";
    FileMonTargets => "monitoraggio_obiettivi", "monitoring_targets";
    FileMonStaff => "monitoraggio_formazione", "monitoring_training";
    SheetMonAreas => "Aree del nomenclatore", "Nomenclature areas";
    FileMonAreas => "monitoraggio_aree", "monitoring_areas";
    ColAreaCode => "Codice area", "Area code";
    ColAreaName => "Area del nomenclatore", "Nomenclature area";
    NotMapped => "(non classificato)", "(not mapped)";
    ColSemester => "Semestre", "Semester";
    ColFrom => "Dal", "From";
    ColTo => "Al", "To";
    ColPartner => "Ente partner", "Partner organisation";
    ColLabs => "Laboratori", "Labs";
    ColOrganisation => "Ente", "Organisation";
    SemesterH1 => "1° semestre", "H1";
    SemesterH2 => "2° semestre", "H2";
    NoPartner => "(nessun ente)", "(no partner)";
    NoOrganisation => "(ente non indicato)", "(no organisation)";
    Total => "Totale", "Total";

    // Columns.
    ColMeetingId => "ID incontro", "Meeting ID";
    ColLab => "Laboratorio", "Lab";
    ColLabName => "Nome laboratorio", "Lab name";
    ColDate => "Data", "Date";
    ColStart => "Inizio", "Start";
    ColEnd => "Fine", "End";
    ColActivity => "Attività", "Activity";
    ColTheme => "Tema", "Theme";
    ColFacilitators => "Conduttori", "Facilitators";
    ColPresent => "Presenti", "Present";
    ColFamilies => "Famiglie", "Families";
    ColMinors => "Minori", "Minors";
    ColGuests => "Ospiti", "Guests";
    ColNotes => "Note", "Notes";
    ColFamily => "Famiglia", "Family";
    ColPerson => "Persona", "Person";
    ColFirstName => "Nome", "First name";
    ColLastName => "Cognome", "Last name";
    ColBirthYear => "Anno di nascita", "Birth year";
    ColMinor => "Minore", "Minor";
    ColCode => "Codice", "Code";
    ColPseudonym => "Pseudonimo", "Pseudonym";
    ColMembers => "Componenti", "Members";
    ColBirthYears => "Anni di nascita", "Birth years";
    ColAreas => "Aree di fragilità", "Areas";
    ColReferral => "Invio da", "Referred by";
    ColConsent => "Data consenso", "Consent date";
    ColPathways => "Percorsi", "Pathways";
    ColAttendancesInPeriod => "Presenze nel periodo", "Attendances in period";
    ColStatus => "Stato", "Status";
    ColReference => "Referente", "Reference person";
    ColMemberNames => "Nomi dei componenti", "Members' names";
    ColPhone => "Telefono", "Phone";
    ColEmail => "Email", "E-mail";
    ColAddress => "Indirizzo", "Address";
    ColTitle => "Titolo", "Title";
    ColHours => "Ore", "Hours";
    ColParticipants => "Partecipanti", "Participants";
    ColOperators => "Operatori", "Operators";
    ColVolunteers => "Volontari", "Volunteers";
    ColParticipantList => "Elenco partecipanti", "Participant list";
    ColParticipant => "Partecipante", "Participant";
    ColRole => "Ruolo", "Role";
    ColSessionMinutes => "Durata (min)", "Length (min)";
    ColMinutesAttended => "Minuti frequentati", "Minutes attended";
    ColShareOfSession => "Quota della sessione", "Share of the session";
    ColThreshold => "Soglia", "Threshold";
    ColCompleted => "Completata", "Completed";
    ColMonth => "Mese", "Month";
    ColIndicator => "Indicatore", "Indicator";
    ColValue => "Valore", "Value";
    ColTarget => "Obiettivo", "Target";
    ColShare => "% dell'obiettivo", "% of target";
    ColMeetingsOf => "Incontri: ", "Meetings: ";

    // Indicators.
    FamiliesReached => "Famiglie raggiunte", "Families reached";
    FamiliesAccompanied => "Famiglie accompagnate", "Families accompanied";
    MembersReached => "Persone raggiunte", "Members reached";
    MinorsReached => "Minori raggiunti", "Minors reached";
    MeetingsHeld => "Incontri realizzati", "Meetings held";
    Attendances => "Presenze", "Attendances";
    Guests => "Ospiti", "Guests";
    ActiveLabs => "Laboratori attivi", "Active labs";
    OperatorsTrained => "Operatori formati", "Operators trained";
    VolunteersTrained => "Volontari formati", "Volunteers trained";
    TrainingHours => "Ore di formazione", "Training hours";
    AllLabs => "Tutti", "All";
    WholePeriod => "Totale periodo", "Whole period";

    // Values.
    Yes => "sì", "yes";
    No => "no", "no";
    Registered => "registrata", "registered";
    Erased => "dati cancellati", "data erased";

    // The printed register.
    RegisterTitle => "Registro presenze", "Attendance register";
    RegisterOfMonth => "Registro presenze del mese", "Attendance register of the month";
    Meeting => "Incontro", "Meeting";
    LabNumber => "n.", "no.";
    PresentList => "Presenti", "Present";
    Signature => "Firma", "Signature";
    SignatureFacilitator => "Firma del conduttore", "Facilitator's signature";
    NoAttendance => "Nessun presente registrato.", "Nobody recorded as present.";
    Page => "Pagina", "Page";
    Of => "di", "of";
    Pseudonymised => "Versione pseudonimizzata: pseudonimi al posto di nomi e codici.",
        "Pseudonymised version: pseudonyms instead of names and codes.";

    // The training sign-in sheet and certificate of attendance (issue 15).
    FileSignIn => "foglio_firme", "sign_in_sheet";
    FileCertificate => "attestato_frequenza", "attendance_certificate";
    SignInTitle => "Foglio firme", "Sign-in sheet";
    TrDate => "Data", "Date";
    TrTime => "Orario", "Time";
    TrDuration => "Durata", "Duration";
    TrThreshold => "Frequenza minima per il completamento", "Minimum attendance to complete";
    TrOfDuration => "della durata", "of the duration";
    TrName => "Nome e cognome", "Name";
    TrOrganisation => "Ente", "Organisation";
    TrArrivalTime => "Ora entrata", "Arrival time";
    TrArrivalSignature => "Firma entrata", "Arrival signature";
    TrDepartureTime => "Ora uscita", "Departure time";
    TrDepartureSignature => "Firma uscita", "Departure signature";
    TrNoneExpected => "Nessun partecipante previsto: righe libere.", "No participants expected: blank rows.";
    TrTrainerSignature => "Firma del docente o del responsabile", "Signature of the trainer or organiser";
    TrSignInNote => "Firmare all'entrata e all'uscita, indicando l'ora. Il foglio è conservato cinque anni \
        come prova della presenza.",
        "Sign on arrival and on departure, writing the time. The sheet is kept for five years as \
        evidence of attendance.";
    CertTitle => "Attestato di frequenza", "Certificate of attendance";
    CertPerson => "Partecipante", "Participant";
    CertRole => "Ruolo", "Role";
    CertCode => "Codice", "Code";
    CertSessions => "Sessioni di formazione frequentate", "Training sessions attended";
    CertNoSessions => "Nessuna sessione frequentata.", "No session attended.";
    CertAttended => "frequentati", "attended";
    CertOf => "su", "of";
    CertArrival => "entrata", "arrival";
    CertDeparture => "uscita", "departure";
    CertNoTimes => "presente per l'intera sessione", "present for the whole session";
    CertMinutesRecorded => "minuti registrati", "minutes recorded";
    CertCompleted => "completata", "completed";
    CertNotCompleted => "non completata", "not completed";
    CertThreshold => "soglia", "threshold";
    CertTotals => "Totali", "Totals";
    CertHoursAttended => "Ore frequentate", "Hours attended";
    CertHoursCompleted => "Ore delle sessioni completate", "Hours of sessions completed";
    CertSessionsCompleted => "Sessioni completate", "Sessions completed";
    CertRule => "Una sessione è completata quando la frequenza raggiunge la soglia indicata (di norma l'80% \
        della durata), con entrata e uscita registrate sul foglio firme.",
        "A session is completed when attendance reaches its threshold (normally 80% of its duration), \
        with arrival and departure recorded on the sign-in sheet.";
    CertIssued => "Rilasciato il", "Issued on";
    CertSignature => "Firma del coordinatore", "Coordinator's signature";
    RoleOperator => "operatore", "operator";
    RoleVolunteer => "volontario", "volunteer";
    Hours => "ore", "hours";
    Minutes => "min", "min";

    // The subject access extract (GDPR arts. 15 and 20).
    FileSubjectAccess => "accesso_dati", "subject_access";
    SaTitle => "Accesso ai propri dati", "Access to your data";
    SaFamily => "Famiglia", "Family";
    SaExtractOf => "estratto del", "extract of";
    SaLaw => "Regolamento (UE) 2016/679 (GDPR), articoli 15 e 20",
        "Regulation (EU) 2016/679 (GDPR), articles 15 and 20";
    SaIntro => "Questo documento riporta tutti i dati che il registro Taccuino conserva sulla vostra \
        famiglia, le attività a cui avete partecipato e chi ha consultato o modificato i dati. \
        Gli stessi dati sono consegnati anche in un file leggibile da computer (JSON), \
        che potete portare altrove (art. 20).",
        "This document sets out all the data the Taccuino register holds about your family, the \
        activities you took part in and who accessed or changed the data. The same data is also \
        given in a machine-readable file (JSON) that you may take elsewhere (art. 20).";
    SaWho => "Chi tratta i dati", "Who holds the data";
    SaProject => "Progetto «Fare #BeneComune», Laboratori di comunità di Pavia",
        "The project “Fare #BeneComune”, community labs of Pavia";
    SaRunBy => "gestito da", "run by";
    SaWhat => "Quali dati", "What data";
    SaBorn => "nato/a nel", "born in";
    SaBirthUnknown => "anno di nascita non indicato", "birth year not recorded";
    SaNone => "nessun dato", "not recorded";
    SaConsent => "Consenso", "Consent";
    SaNoConsent => "nessun consenso registrato", "no consent recorded";
    SaConsentTo => "per", "to";
    SaNotice => "versione dell'informativa", "privacy notice version";
    SaCollectedBy => "raccolto da", "collected by";
    SaRegistered => "Registrata il", "Registered on";
    SaOther => "Altri dati registrati", "Other recorded data";
    SaDuplicates => "Schede duplicate unite a questa famiglia", "Duplicate records merged into this family";
    SaActivities => "Quali attività", "What activities";
    SaAttendance => "Presenze agli incontri", "Attendance at meetings";
    SaNoAttendance => "Nessuna presenza registrata.", "No attendance recorded.";
    SaNoPathways => "Nessun percorso.", "No pathways.";
    SaFollowedBy => "seguito da", "followed by";
    SaFrom => "dal", "from";
    SaTo => "al", "to";
    SaFormerMember => "componente non più in scheda", "member no longer on record";
    SaTrail => "Chi ha consultato o modificato i dati", "Who accessed or changed the data";
    SaTrailIntro => "Ogni modifica è registrata con il dispositivo che l'ha fatta e, quando è nota, la \
        persona che lo usava. Le esportazioni e gli estratti elencati sono quelli fatti da questo \
        dispositivo.",
        "Every change is recorded with the device that made it and, when known, the person using \
        it. The exports and extracts listed are those made on this device.";
    SaNoTrail => "Nessuna registrazione.", "Nothing recorded.";
    SaBy => "da", "by";
    SaDevice => "dispositivo", "device";
    SaUnknownPerson => "persona non indicata", "person not recorded";
    SaRights => "I vostri diritti", "Your rights";
    SaRightRectification =>
        "Rettifica (art. 16): potete chiedere di correggere o completare i dati inesatti.",
        "Rectification (art. 16): you may ask for inaccurate or incomplete data to be corrected.";
    SaRightErasure => "Cancellazione (art. 17): potete chiedere che i dati della famiglia siano cancellati; \
        restano solo il codice della famiglia e dati senza nomi usati per le statistiche del progetto.",
        "Erasure (art. 17): you may ask for the family's data to be erased; only the family's code \
        and data without names, used for the project's statistics, remain.";
    SaRightRestriction => "Limitazione (art. 18): potete chiedere che i dati siano conservati ma non usati, \
        per esempio mentre se ne verifica l'esattezza.",
        "Restriction (art. 18): you may ask for the data to be kept but not used, for example while \
        its accuracy is checked.";
    SaRightPortability => "Portabilità (art. 20): il file JSON allegato contiene gli stessi dati in formato \
        leggibile da computer.",
        "Portability (art. 20): the attached JSON file holds the same data in a machine-readable \
        format.";
    SaRightComplaint => "Reclamo (art. 77): potete proporre reclamo al Garante per la protezione dei dati \
        personali (www.garanteprivacy.it).",
        "Complaint (art. 77): you may lodge a complaint with the Italian supervisory authority, the \
        Garante per la protezione dei dati personali (www.garanteprivacy.it).";
    SaRightHow => "Per esercitare questi diritti rivolgetevi al vostro laboratorio o al coordinamento del \
        progetto.",
        "To exercise these rights, ask your lab or the project's coordinators.";
    SaDate => "Data dell'estratto", "Date of the extract";

    // The subject access extract of a volunteer's register entry.
    VaVolunteer => "Volontario/a", "Volunteer";
    VaWho => "L'ente iscrive i propri volontari non occasionali nel registro previsto dall'articolo 17 \
        del Codice del Terzo Settore (D.Lgs. 117/2017) e li assicura (art. 18).",
        "The organisation enters its regular volunteers in the register required by article 17 of the \
        Italian Third Sector Code (Legislative Decree 117/2017) and insures them (art. 18).";
    VaOrganisation => "Ente", "Organisation";
    VaUnknownOrganisation => "ente non indicato", "organisation not known";
    VaPerson => "Dati della persona", "Personal record";
    VaRole => "Ruolo", "Role";
    VaOrganisationDeclared => "Ente indicato nella scheda", "Organisation on the record";
    VaEntry => "Iscrizione nel registro dei volontari", "Entry in the register of volunteers";
    VaCodiceFiscale => "Codice fiscale", "Codice fiscale";
    VaBirthPlace => "Luogo di nascita", "Place of birth";
    VaBirthDate => "Data di nascita", "Date of birth";
    VaResidence => "Residenza o domicilio", "Residence or domicile";
    VaStart => "Inizio dell'attività", "Volunteering started";
    VaEnd => "Fine dell'attività", "Volunteering ended";
    VaOccasional => "Volontario occasionale", "Occasional volunteer";
    VaInsuredFrom => "Assicurazione dal", "Insured from";
    VaInsuredTo => "Assicurazione al", "Insured to";
    VaHistory => "Storia dell'iscrizione", "History of the entry";
    VaHistoryIntro => "Ogni modifica è registrata con il momento, il dispositivo che l'ha fatta e, quando \
        è nota, la persona che lo usava; per ogni dato, il valore prima e dopo.",
        "Every change is recorded with its time, the device that made it and, when known, the person \
        using it; for each field, its value before and after.";
    VaEmpty => "(vuoto)", "(empty)";
    VaRightErasure => "Cancellazione (art. 17): potete chiedere che l'iscrizione sia cancellata; l'ente \
        conserva quanto la legge gli impone di conservare, in particolare il registro annuale già stampato \
        e firmato, che riporta l'iscrizione com'era.",
        "Erasure (art. 17): you may ask for the entry to be erased; the organisation keeps what the law \
        obliges it to keep, in particular the yearly register already printed and signed, which shows the \
        entry as it was.";
    VaRightHow => "Per esercitare questi diritti rivolgetevi al coordinamento del vostro ente.",
        "To exercise these rights, ask your organisation's coordinators.";
    FileVolunteerAccess => "accesso_dati_volontario", "volunteer_data_access";
}

/// `sì`/`no`.
pub(crate) fn yes_no(b: bool, lang: Language) -> &'static str {
    if b { Label::Yes.text(lang) } else { Label::No.text(lang) }
}

/// Month names, for the printed register.
pub(crate) fn month_name(month: u32, lang: Language) -> &'static str {
    const IT: [&str; 12] = [
        "gennaio",
        "febbraio",
        "marzo",
        "aprile",
        "maggio",
        "giugno",
        "luglio",
        "agosto",
        "settembre",
        "ottobre",
        "novembre",
        "dicembre",
    ];
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let i = (month.clamp(1, 12) - 1) as usize;
    match lang {
        Language::It => IT[i],
        Language::En => EN[i],
    }
}

/// An area of difficulty.
pub(crate) fn area(a: Area, lang: Language) -> &'static str {
    match (a, lang) {
        (Area::Economic, Language::It) => "economica",
        (Area::Economic, Language::En) => "economic",
        (Area::Relational, Language::It) => "relazionale",
        (Area::Relational, Language::En) => "relational",
        (Area::Social, Language::It) => "sociale",
        (Area::Social, Language::En) => "social",
    }
}

/// Who referred a family.
pub(crate) fn referral(r: ReferralSource, lang: Language) -> &'static str {
    use ReferralSource as R;
    match (r, lang) {
        (R::SocialServices, Language::It) => "servizi sociali",
        (R::SocialServices, Language::En) => "social services",
        (R::School, Language::It) => "scuola",
        (R::School, Language::En) => "school",
        (R::Parish, Language::It) => "parrocchia",
        (R::Parish, Language::En) => "parish",
        (R::Association, Language::It) => "associazione",
        (R::Association, Language::En) => "association",
        (R::WordOfMouth, Language::It) => "passaparola",
        (R::WordOfMouth, Language::En) => "word of mouth",
        (R::SelfReferred, Language::It) => "accesso spontaneo",
        (R::SelfReferred, Language::En) => "self-referred",
        (R::Other, Language::It) => "altro",
        (R::Other, Language::En) => "other",
    }
}

/// A kind of pathway.
pub(crate) fn pathway_kind(k: PathwayKind, lang: Language) -> &'static str {
    use PathwayKind as K;
    match (k, lang) {
        (K::FamilyTutoring, Language::It) => "tutoraggio familiare",
        (K::FamilyTutoring, Language::En) => "family tutoring",
        (K::ConflictMediation, Language::It) => "mediazione dei conflitti",
        (K::ConflictMediation, Language::En) => "conflict mediation",
        (K::ParentingSupport, Language::It) => "sostegno alla genitorialità",
        (K::ParentingSupport, Language::En) => "parenting support",
        (K::SelfCare, Language::It) => "cura di sé",
        (K::SelfCare, Language::En) => "self-care",
    }
}

/// What a family consented to.
pub(crate) fn consent_scope(c: ConsentScope, lang: Language) -> &'static str {
    match (c, lang) {
        (ConsentScope::DataProcessing, Language::It) => "trattamento dei dati per il progetto",
        (ConsentScope::DataProcessing, Language::En) => "processing of data for the project",
        (ConsentScope::Photos, Language::It) => "foto durante le attività",
        (ConsentScope::Photos, Language::En) => "photos during activities",
        (ConsentScope::Contact, Language::It) => "essere contattati per telefono o messaggio",
        (ConsentScope::Contact, Language::En) => "being contacted by phone or message",
    }
}

/// A part of a family's record, as the audit trail names it (the root
/// keys of its document); an unknown key is printed as it is.
pub(crate) fn record_part(key: &str, lang: Language) -> &str {
    let (it, en) = match key {
        "members" => ("componenti", "members"),
        "contacts" => ("contatti", "contacts"),
        "areas" => ("aree di fragilità", "areas"),
        "referral" => ("invio", "referral"),
        "consent" => ("consenso", "consent"),
        "reference" => ("referente", "reference person"),
        "pathways" => ("percorsi", "pathways"),
        "households" => ("elenco famiglie del laboratorio", "the lab's list of families"),
        _ => return key,
    };
    match lang {
        Language::It => it,
        Language::En => en,
    }
}

/// Where a pathway stands.
pub(crate) fn pathway_status(s: PathwayStatus, lang: Language) -> &'static str {
    match (s, lang) {
        (PathwayStatus::Active, Language::It) => "attivo",
        (PathwayStatus::Active, Language::En) => "active",
        (PathwayStatus::Suspended, Language::It) => "sospeso",
        (PathwayStatus::Suspended, Language::En) => "suspended",
        (PathwayStatus::Closed, Language::It) => "chiuso",
        (PathwayStatus::Closed, Language::En) => "closed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_differ_where_they_should() {
        assert_eq!(Label::SheetMeetings.text(Language::It), "Incontri");
        assert_eq!(Label::SheetMeetings.text(Language::En), "Meetings");
        assert_eq!(month_name(3, Language::It), "marzo");
        assert_eq!(yes_no(true, Language::It), "sì");
    }
}
