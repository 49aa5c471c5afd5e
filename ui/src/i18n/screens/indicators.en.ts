import type { Catalogue } from "../catalogue";

/** Indicators: targets, totals and the monthly chart. */
export const indicators: Catalogue["indicators"] = {
  lede: "The project's figures for the chosen period and labs, computed from the register on this computer.",
  computing: "Computing…",
  periodShown: "Figures from {from} to {to}.",
  targets: {
    title: "Project targets",
    families: "Families accompanied",
    labs: "Active labs",
    operators_trained: "Operators trained",
    volunteers_trained: "Volunteers trained",
    valuePercent: "{value} of {target} ({percent}%)",
    note: "Families accompanied and active labs are counted in the chosen period; for training, every hour up to the end of the period counts.",
  },
  totals: {
    title: "Figures for the period",
    figure: "Indicator",
    total: "Total",
    labsNote: "A family attending two labs counts in both, but only once in the total: the lab columns do not add up.",
    rows: {
      families_reached: "Families reached",
      families_accompanied: "Families accompanied",
      members_reached: "People reached",
      minors_reached: "of whom minors",
      meetings: "Meetings held",
      attendances: "Attendances",
      guests: "Guests",
      active_labs: "Active labs",
      operators_trained: "Operators trained",
      volunteers_trained: "Volunteers trained",
      training_hours: "Training hours (hours × people)",
    },
  },
  chart: {
    heading: "Over time",
    title: "Attendance by month and lab",
    month: "Month",
  },
};
