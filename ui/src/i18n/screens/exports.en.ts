import type { Catalogue } from "../catalogue";

/** Exports: the export form, its preview and progress, the audit log. */
export const exportsTexts: Catalogue["exports"] = {
  lede: "Create the files for the funder: choose labs, period, format and whether to include names.",
  what: "What to export",
  report: {
    legend: "What to export",
    register: { label: "Register", hint: "meetings, attendance, families and training of the period" },
    monitoring: {
      label: "Half-yearly monitoring",
      hint: "by semester: partner organisations and the total against the targets, labs, operators and volunteers trained by organisation",
    },
    noPdf: "The monitoring is exported as Excel or CSV.",
  },
  format: {
    legend: "Format",
    where: "After “Export…” choose where to save: a folder for separate CSV files and PDFs, otherwise the file name.",
    csv_zip: { label: "CSV in a zip file", hint: "meetings, attendance, families and training" },
    csv: { label: "Separate CSV files", hint: "the same four files, in a folder" },
    xlsx: { label: "Excel (XLSX)", hint: "one sheet per table, plus indicators and targets" },
    pdf_months: { label: "Monthly registers as PDF", hint: "one per lab and month, to print" },
  },
  privacy: {
    legend: "Personal data",
    pseudonymised: {
      label: "Pseudonymised",
      hint: "pseudonyms instead of names and codes, minors' ages in bands, counts under 5 shown as “<5”; this is the one for the funder",
    },
    full: { label: "Full, with names", hint: "with names, phones, e-mails and addresses" },
    fullWarning: "Warning: the files will contain personal data. Keep them safe. A full export is recorded in the audit log below.",
  },
  language: "Language of the files",
  preview: {
    title: "Preview",
    computing: "Computing the preview…",
    invalid: "Correct the period or the labs to see the preview.",
    what: "From {from} to {to}, {labs}: {meetings}, {attendances}, {families}.",
    allLabs: "all labs",
    someLabs: { one: "{n} lab", other: "{n} labs" },
    attendances: { one: "{n} attendance", other: "{n} attendances" },
    families: { one: "{n} family reached", other: "{n} families reached" },
    empty: "There are no meetings in the chosen period: the tables will only have their headers.",
    pseudonymised: "No names or contacts.",
    full: "With names and contacts: personal data.",
  },
  run: {
    title: "Export",
    start: "Export…",
    cancel: "Cancel the export",
    cancelled: "Export cancelled: no file was written.",
    waiting: "Waiting for the file to be chosen…",
    progress: "Export progress",
    progressText: "{done} of {total}",
    stage: {
      reading: "Reading the register",
      writing: "Writing {name}",
      packing: "Compressing the files",
      done: "Finished",
    },
  },
  done: {
    title: "Export finished",
    files: { one: "File saved:", other: "Files saved ({n}):" },
  },
  audit: {
    title: "Audit log",
    intro: "The latest exports made from this computer.",
    none: "No exports yet.",
    when: "When",
    action: "Action",
    details: "Details",
    actions: {
      export: "Pseudonymised export",
      export_full: "Full export",
    },
    withNames: "with names",
    pdfMeeting: "Register of one meeting (PDF)",
    monitoring: "Half-yearly monitoring",
    files: { one: "{n} file", other: "{n} files" },
    rows: { one: "{n} row", other: "{n} rows" },
  },
};
