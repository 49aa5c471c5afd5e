/** Indicatori: targets, totals and the monthly chart. */
export const indicators = {
  lede: "I numeri del progetto per il periodo e i laboratori scelti, calcolati dal registro di questo computer.",
  computing: "Calcolo in corso…",
  periodShown: "Dati dal {from} al {to}.",
  targets: {
    title: "Obiettivi del progetto",
    families: "Famiglie accompagnate",
    labs: "Laboratori attivi",
    operators_trained: "Operatori formati",
    volunteers_trained: "Volontari formati",
    valuePercent: "{value} su {target} ({percent}%)",
    note: "Famiglie accompagnate e laboratori attivi si contano nel periodo scelto; per la formazione contano tutte le ore fino alla fine del periodo.",
  },
  totals: {
    title: "Dati del periodo",
    figure: "Indicatore",
    total: "Totale",
    labsNote: "Una famiglia che frequenta due laboratori conta in entrambi, ma una volta sola nel totale: le colonne dei laboratori non si sommano.",
    rows: {
      families_reached: "Famiglie raggiunte",
      families_accompanied: "Famiglie accompagnate",
      members_reached: "Persone raggiunte",
      minors_reached: "di cui minori",
      meetings: "Incontri realizzati",
      attendances: "Presenze",
      guests: "Ospiti",
      active_labs: "Laboratori attivi",
      operators_trained: "Operatori formati",
      volunteers_trained: "Volontari formati",
      training_hours: "Ore di formazione (ore × persone)",
    },
  },
  chart: {
    heading: "Andamento",
    title: "Presenze per mese e laboratorio",
    month: "Mese",
  },
} as const;
