/** Shared widgets of the report screens: the labs-and-period picker, the bar chart. */
export const widgets = {
  selection: {
    period: "Periodo",
    quick: "Scelte rapide",
    quickChoices: {
      year: "Quest'anno",
      last12: "Ultimi 12 mesi",
      all: "Tutto il progetto",
    },
    from: "Dal",
    to: "Al",
    invalidDate: "Scrivi una data valida.",
    order: "La fine del periodo è prima dell'inizio.",
    labs: "Laboratori",
    lab: "Laboratorio",
    allLabs: "Tutti i laboratori",
    someLabs: "Solo alcuni laboratori",
    noLabs: "Scegli almeno un laboratorio.",
  },
  chart: {
    summary: "{title}, da {from} a {to}; valore più alto {max}. Gli stessi dati sono nella tabella.",
    scrollRegion: "Grafico: {title}",
    legend: "Legenda",
    showTable: "Mostra i dati in tabella",
    hideTable: "Nascondi la tabella",
    total: "Totale",
    empty: "Nessun dato nel periodo scelto.",
  },
} as const;
