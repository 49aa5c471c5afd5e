//! The vocabulary of the demo data: names, places, organisations, themes.
//!
//! Everything here is invented or generic. Streets are plausible for each
//! neighbourhood of Pavia, partner organisations are made up, and e-mail
//! addresses use the reserved `example.org` / `example.com` domains, so demo
//! data can never reach a real person.

/// Where a family (or a member of staff) comes from, which decides the names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Origin {
    Italian,
    Moroccan,
    Albanian,
    Romanian,
    Ukrainian,
    Peruvian,
    Senegalese,
}

impl Origin {
    /// Origins of families with their weights (out of 100), roughly the mix
    /// of Pavia's neighbourhoods with the most immigrant families.
    pub(super) const FAMILY_WEIGHTS: &'static [(Origin, u32)] = &[
        (Origin::Italian, 66),
        (Origin::Moroccan, 7),
        (Origin::Albanian, 7),
        (Origin::Romanian, 7),
        (Origin::Ukrainian, 5),
        (Origin::Peruvian, 4),
        (Origin::Senegalese, 4),
    ];

    /// Origins of staff with their weights (out of 100): mostly Italian,
    /// plus cultural mediators.
    pub(super) const STAFF_WEIGHTS: &'static [(Origin, u32)] = &[
        (Origin::Italian, 88),
        (Origin::Moroccan, 3),
        (Origin::Albanian, 3),
        (Origin::Romanian, 2),
        (Origin::Ukrainian, 2),
        (Origin::Peruvian, 1),
        (Origin::Senegalese, 1),
    ];

    /// Male first names.
    #[rustfmt::skip]
    pub(super) fn male(self) -> &'static [&'static str] {
        match self {
            Origin::Italian => &[
                "Marco", "Luca", "Giuseppe", "Giovanni", "Francesco", "Alessandro", "Andrea",
                "Matteo", "Lorenzo", "Davide", "Simone", "Stefano", "Paolo", "Roberto", "Massimo",
                "Antonio", "Salvatore", "Fabio", "Gabriele", "Riccardo", "Tommaso", "Leonardo",
                "Edoardo", "Pietro", "Gioele", "Nicolò", "Niccolò", "Noè", "Giosuè", "Mattia",
                "Federico", "Samuele", "Diego", "Elia", "Enrico", "Claudio",
            ],
            Origin::Moroccan => &[
                "Mohamed", "Youssef", "Ahmed", "Hamza", "Omar", "Karim", "Rachid", "Said", "Mustapha",
                "Ayoub", "Adam", "Ilyas",
            ],
            Origin::Albanian => &[
                "Arben", "Besnik", "Dritan", "Ermal", "Gentian", "Ilir", "Klodian", "Artan", "Erion", "Endri",
            ],
            Origin::Romanian => &[
                "Andrei", "Ionuț", "Mihai", "Florin", "Bogdan", "Costel", "Răzvan", "Alexandru",
                "Gheorghe", "Vasile",
            ],
            Origin::Ukrainian => &[
                "Oleksandr", "Andriy", "Dmytro", "Serhiy", "Mykola", "Taras", "Vasyl", "Yuriy",
                "Ivan", "Bohdan",
            ],
            Origin::Peruvian => {
                &["José", "Luis", "Jorge", "Carlos", "Juan", "Miguel", "Víctor", "César", "Raúl", "Jesús"]
            }
            Origin::Senegalese => &[
                "Mamadou", "Cheikh", "Ousmane", "Modou", "Abdoulaye", "Ibrahima", "Moussa",
                "Babacar", "Pape", "Serigne",
            ],
        }
    }

    /// Female first names.
    #[rustfmt::skip]
    pub(super) fn female(self) -> &'static [&'static str] {
        match self {
            Origin::Italian => &[
                "Giulia", "Chiara", "Francesca", "Sara", "Martina", "Valentina", "Elena", "Alessia",
                "Federica", "Silvia", "Laura", "Paola", "Anna", "Maria", "Rosa", "Giovanna",
                "Sofia", "Aurora", "Ginevra", "Beatrice", "Alice", "Ludovica", "Emma", "Greta",
                "Rebecca", "Zoè", "Noemi", "Gaia", "Viola", "Camilla", "Elisa", "Irene", "Marta",
                "Carlotta", "Benedetta", "Agnese",
            ],
            Origin::Moroccan => &[
                "Fatima", "Khadija", "Amina", "Salma", "Nadia", "Samira", "Imane", "Malak", "Yasmine",
                "Hajar",
            ],
            Origin::Albanian => {
                &["Blerta", "Elira", "Ardita", "Mirela", "Xhenisa", "Ornela", "Anisa", "Elona", "Klea", "Era"]
            }
            Origin::Romanian => &[
                "Elena", "Ioana", "Maria", "Alina", "Mădălina", "Andreea", "Raluca", "Cristina",
                "Florentina", "Ana",
            ],
            Origin::Ukrainian => &[
                "Olena", "Oksana", "Iryna", "Nataliya", "Tetiana", "Halyna", "Svitlana", "Yulia", "Mariya",
                "Kateryna",
            ],
            Origin::Peruvian => &[
                "María", "Rosa", "Carmen", "Lucía", "Milagros", "Gladys", "Sofía", "Valeria", "Flor",
                "Yesenia",
            ],
            Origin::Senegalese => &[
                "Fatou", "Aminata", "Awa", "Mariama", "Khady", "Ndeye", "Astou", "Coumba",
                "Aïssatou", "Bineta",
            ],
        }
    }

    /// Last names.
    #[rustfmt::skip]
    pub(super) fn last(self) -> &'static [&'static str] {
        match self {
            Origin::Italian => &[
                "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci",
                "Marino", "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa",
                "Giordano", "Rizzo", "Lombardi", "Moretti", "Barbieri", "Fontana", "Santoro",
                "Mariani", "Rinaldi", "Caruso", "Ferrara", "Galli", "Martini", "Leone", "Longo",
                "Gentile", "Martinelli", "Vitale", "Serra", "Coppola", "De Santis", "Sciortino",
                "Bossi", "Brambilla", "Sala", "Cattaneo", "Pozzi", "Maggi", "Fumagalli",
                "Invernizzi", "Rota", "Bertolotti", "Lazzari", "Rognoni", "Gatti", "Bellini",
                "Rossetti", "Rossini", "Rosso", "D'Angelo", "D'Amico", "Dell'Acqua", "D'Alessandro",
                "Cantù", "Ferrè", "Donà", "Baù", "Pirrò",
            ],
            Origin::Moroccan => &[
                "El Amrani", "Benali", "El Idrissi", "Bennani", "Alaoui", "Tazi", "Ouahbi",
                "El Fassi", "Haddad", "Chraibi", "Berrada", "Lahlou",
            ],
            Origin::Albanian => &[
                "Hoxha", "Shehu", "Gjoka", "Dervishi", "Leka", "Kola", "Basha", "Meta", "Çela", "Marku",
                "Kelmendi", "Rama",
            ],
            Origin::Romanian => &[
                "Popescu", "Ionescu", "Popa", "Dumitru", "Stan", "Stoica", "Gheorghiu", "Munteanu",
                "Constantin", "Lungu", "Năstase", "Țurcanu",
            ],
            Origin::Ukrainian => &[
                "Shevchenko", "Kovalenko", "Bondarenko", "Tkachenko", "Kravchenko", "Melnyk",
                "Boyko", "Kovalchuk", "Oliynyk", "Lysenko", "Moroz", "Savchenko",
            ],
            Origin::Peruvian => &[
                "Quispe", "Mamani", "Huamán", "Flores", "Sánchez", "Rodríguez", "Ramírez",
                "Gutiérrez", "Chávez", "Torres", "Vargas", "Rojas", "Mendoza",
            ],
            Origin::Senegalese => &[
                "Diop", "Ndiaye", "Fall", "Sow", "Gueye", "Diallo", "Mbaye", "Sarr", "Faye", "Ba", "Sy",
                "Thiam", "Cissé",
            ],
        }
    }

    /// Whether a wife usually takes her husband's surname (otherwise each
    /// partner keeps their own, as in Italy).
    pub(super) fn shared_surname(self) -> bool {
        matches!(self, Origin::Albanian | Origin::Romanian | Origin::Ukrainian)
    }
}

/// One lab of the project: its neighbourhood, address, partner and the
/// streets its families live in.
pub(super) struct LabPlace {
    pub name: &'static str,
    pub address: &'static str,
    pub partner: &'static str,
    pub streets: &'static [&'static str],
}

/// The ten labs, by number (index 0 is lab 1).
pub(super) const LABS: &[LabPlace] = &[
    LabPlace {
        name: "Laboratorio Crosione",
        address: "Via Acerbi 21, 27100 Pavia",
        partner: "Cooperativa Sociale Il Convoglio",
        streets: &["Via Acerbi", "Via Lomonaco", "Via Treves", "Via Bligny"],
    },
    LabPlace {
        name: "Laboratorio Scala",
        address: "Via della Scala 5, 27100 Pavia",
        partner: "Associazione Quartieri in Rete",
        streets: &["Via della Scala", "Via Rismondo", "Via Montebolone", "Via Scopoli"],
    },
    LabPlace {
        name: "Laboratorio Pelizza",
        address: "Via Pelizza da Volpedo 12, 27100 Pavia",
        partner: "Cooperativa Sociale L'Aquilone",
        streets: &["Via Pelizza da Volpedo", "Via Fratelli Cairoli", "Via Segantini"],
    },
    LabPlace {
        name: "Laboratorio Vallone",
        address: "Viale Cremona 140, 27100 Pavia",
        partner: "Associazione Famiglie al Centro",
        streets: &["Viale Cremona", "Via del Vallone", "Via Mentana", "Via Olevano"],
    },
    LabPlace {
        name: "Laboratorio San Pietro in Verzolo",
        address: "Via San Pietro in Verzolo 34, 27100 Pavia",
        partner: "Cooperativa Sociale Il Mosaico",
        streets: &["Via San Pietro in Verzolo", "Viale Lodi", "Via Folperti", "Via Ferrini"],
    },
    LabPlace {
        name: "Laboratorio Città Giardino",
        address: "Viale Campari 60, 27100 Pavia",
        partner: "APS Città Giardino Insieme",
        streets: &["Viale Campari", "Viale Golgi", "Via Torquato Tasso", "Via Aselli"],
    },
    LabPlace {
        name: "Laboratorio Mirabello",
        address: "Via Mirabello 8, 27100 Pavia",
        partner: "Associazione Mondo Aperto",
        streets: &["Via Mirabello", "Via Vigentina", "Via Bramante", "Via Monte Grappa"],
    },
    LabPlace {
        name: "Laboratorio Borgo Ticino",
        address: "Via dei Mille 102, 27100 Pavia",
        partner: "Cooperativa Sociale Ticino Solidale",
        streets: &["Via dei Mille", "Via Milazzo", "Via Lungoticino Sforza", "Via Calatafimi"],
    },
    LabPlace {
        name: "Laboratorio Centro storico",
        address: "Corso Garibaldi 41, 27100 Pavia",
        partner: "Associazione Babele",
        streets: &["Corso Garibaldi", "Corso Mazzini", "Strada Nuova", "Via Porta Pertusi"],
    },
    LabPlace {
        name: "Laboratorio Colombarone",
        address: "Via Colombarone 3, 27100 Pavia",
        partner: "Cooperativa Sociale Il Girasole",
        streets: &["Via Colombarone", "Via Riviera", "Via Brambilla", "Via San Giovannino"],
    },
];

/// Organisations of volunteers who are not with the lab's partner.
pub(super) const VOLUNTEER_GROUPS: &[&str] =
    &["Volontari di quartiere", "Gruppo Scout Pavia 3", "Banca del Tempo Pavia", "Parrocchia del quartiere"];

/// Mobile prefixes of Italian operators.
pub(super) const MOBILE_PREFIXES: &[u16] =
    &[320, 328, 329, 331, 333, 334, 338, 339, 340, 345, 347, 348, 349, 351, 366, 370, 380, 388, 392];

/// Meeting themes for each activity type key.
pub(super) fn themes(activity: &str) -> &'static [&'static str] {
    match activity {
        "family_tutoring" => &[
            "Compiti insieme",
            "Orientamento ai servizi del Comune",
            "Pratiche ISEE e bonus",
            "Iscrizioni scolastiche",
            "Cercare casa",
            "Scrivere il curriculum",
        ],
        "conflict_mediation" => &[
            "Gestire i conflitti in famiglia",
            "Vicini di casa: regole comuni",
            "Comunicazione non violenta",
            "Fratelli e sorelle: litigare bene",
        ],
        "parenting_support" => &[
            "Genitori e adolescenti",
            "Il sonno dei più piccoli",
            "Schermi e famiglia",
            "Lettura ad alta voce 0-6 anni",
            "Regole e autonomia",
        ],
        "self_care" => &[
            "Camminata lungo il Ticino",
            "Yoga dolce",
            "Alimentazione e salute",
            "Gruppo di parola per mamme",
            "Respirare e rilassarsi",
        ],
        "open_lab" => &[
            "Merenda insieme",
            "Cucina dal mondo",
            "Riparazioni e riuso",
            "Giochi da tavolo",
            "Orto di quartiere",
            "Italiano per tutti",
            "Cineforum per famiglie",
        ],
        _ => &[
            "Festa di quartiere",
            "Visita al Castello Visconteo",
            "Assemblea del laboratorio",
            "Mercatino del baratto",
        ],
    }
}

/// Activity type keys with their weights: open labs are the most common.
pub(super) const ACTIVITY_WEIGHTS: &[(&str, u32)] = &[
    ("open_lab", 34),
    ("family_tutoring", 20),
    ("parenting_support", 16),
    ("self_care", 12),
    ("conflict_mediation", 10),
    ("other", 8),
];

/// Occasional meeting notes.
pub(super) const MEETING_NOTES: &[&str] = &[
    "Presenti anche due nonni.",
    "Pioggia forte: alcune famiglie non sono venute.",
    "Portato il materiale per la prossima volta.",
    "Nuova famiglia arrivata tramite la scuola.",
    "Merenda offerta dal panificio di quartiere.",
    "Chiedere al Comune la sala per dicembre.",
    "Servono più sedie per i bambini.",
];

/// Pathway notes.
pub(super) const PATHWAY_NOTES: &[&str] = &[
    "Primo colloquio svolto; concordati incontri quindicinali.",
    "La famiglia chiede aiuto con le pratiche della casa.",
    "Coinvolgere anche il padre nei prossimi incontri.",
    "Raccordo con l'assistente sociale di riferimento.",
    "Buoni progressi; valutare la chiusura fra tre mesi.",
    "",
];

/// Training titles.
pub(super) const TRAINING_TITLES: &[&str] = &[
    "Ascolto attivo e accoglienza",
    "Privacy e protezione dei dati nel lavoro sociale",
    "Primo soccorso",
    "Mediazione dei conflitti: strumenti",
    "Lavorare con le famiglie migranti",
    "Usare Taccuino: il registro dei laboratori",
    "Sostegno alla genitorialità",
    "Rete dei servizi del territorio",
    "Prevenzione del burnout",
    "Facilitare gruppi di parola",
];

/// `name` in lowercase ASCII, accents dropped and anything else but letters
/// and digits removed: for e-mail addresses (and for tests that type names
/// without accents, as people do).
pub(crate) fn fold(name: &str) -> String {
    name.chars()
        .flat_map(char::to_lowercase)
        .filter_map(|c| {
            Some(match c {
                'à' | 'á' | 'â' | 'ä' | 'ă' | 'ã' => 'a',
                'è' | 'é' | 'ê' | 'ë' => 'e',
                'ì' | 'í' | 'î' | 'ï' => 'i',
                'ò' | 'ó' | 'ô' | 'ö' => 'o',
                'ù' | 'ú' | 'û' | 'ü' => 'u',
                'ç' => 'c',
                'ñ' => 'n',
                'ș' | 'ş' => 's',
                'ț' | 'ţ' => 't',
                c if c.is_ascii_alphanumeric() => c,
                _ => return None,
            })
        })
        .collect()
}
