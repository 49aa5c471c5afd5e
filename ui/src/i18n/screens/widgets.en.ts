import type { Catalogue } from "../catalogue";

/** Shared widgets of the report screens: the labs-and-period picker, the bar chart. */
export const widgets: Catalogue["widgets"] = {
  selection: {
    period: "Period",
    quick: "Quick choices",
    quickChoices: {
      year: "This year",
      last12: "Last 12 months",
      all: "Whole project",
    },
    from: "From",
    to: "To",
    invalidDate: "Enter a valid date.",
    order: "The end of the period is before its start.",
    labs: "Labs",
    lab: "Lab",
    allLabs: "All labs",
    someLabs: "Only some labs",
    noLabs: "Choose at least one lab.",
  },
  chart: {
    summary: "{title}, from {from} to {to}; highest value {max}. The same figures are in the table.",
    scrollRegion: "Chart: {title}",
    legend: "Legend",
    showTable: "Show the figures as a table",
    hideTable: "Hide the table",
    total: "Total",
    empty: "No data in the chosen period.",
  },
};
