import { act, fireEvent, screen, waitFor, within } from "@testing-library/preact";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { AuditEntry, Counts, Indicators, Progress, Request as Options, Saved } from "../bindings";
import { LAB_2, fail, ok, renderScreen } from "../components/testing";
import { translatorFor } from "../i18n";
import { Exports, auditSummary, buildExportOptions, defaultExportForm, stageText, withReport } from "./Exports";

vi.mock("@tauri-apps/api/core", () => ({
  /** The real Channel needs Tauri's IPC: this one only keeps the handler. */
  Channel: class<T> {
    onmessage: (message: T) => void = () => {};
  },
}));

vi.mock("../bindings", () => ({
  commands: {
    indicators: vi.fn(),
    exportRegister: vi.fn(),
    exportMonitoring: vi.fn(),
    cancelExport: vi.fn(),
    auditLog: vi.fn(),
  },
}));

import { commands } from "../bindings";

const api = vi.mocked(commands);

function counts(patch: Partial<Counts>): Counts {
  return {
    families_reached: 0,
    families_accompanied: 0,
    members_reached: 0,
    minors_reached: 0,
    meetings: 0,
    meetings_by_activity: {},
    attendances: 0,
    guests: 0,
    active_labs: 0,
    operators_trained: 0,
    volunteers_trained: 0,
    training_minutes: 0,
    ...patch,
  };
}

const indicators = (total: Partial<Counts>): Indicators => ({
  period: { from: "2020-01-01", to: "2026-11-25" },
  targets: { families: 800, labs: 10, operators_trained: 60, volunteers_trained: 120, trained_hours: 20 },
  total: counts(total),
  months: [],
  labs: [],
});

const audit: AuditEntry[] = [
  {
    id: "a1",
    at: "2026-11-24T15:30:00Z",
    device: "d1",
    action: "export_full",
    details: {
      options: {
        selection: { labs: { only: [LAB_2] }, period: { from: "2026-01-01", to: "2026-06-30" } },
        format: "xlsx",
        privacy: "full",
        language: "it",
      },
      files: ["registro_2026-01-01_2026-06-30.xlsx"],
      rows: 1234,
    },
  },
];

/** A pending export the test finishes by hand, with the channel it was given. */
function deferredExport() {
  const ctl: {
    channel: { onmessage: (p: Progress) => void } | null;
    options: Options | null;
    finish: (v: Saved | null) => void;
    refuse: (kind: "cancelled" | "internal") => void;
  } = { channel: null, options: null, finish: () => {}, refuse: () => {} };
  api.exportRegister.mockImplementation(
    (options, channel) =>
      new Promise((resolve) => {
        ctl.options = options;
        ctl.channel = channel as unknown as { onmessage: (p: Progress) => void };
        ctl.finish = (data) => resolve({ status: "ok", data });
        ctl.refuse = (kind) =>
          resolve({ status: "error", error: kind === "cancelled" ? { kind } : { kind, detail: "boom" } });
      }),
  );
  return ctl;
}

beforeEach(() => {
  vi.resetAllMocks();
  api.indicators.mockImplementation(() => ok(indicators({ meetings: 42, attendances: 310, families_reached: 57 })));
  api.auditLog.mockImplementation(() => ok(audit));
  api.cancelExport.mockImplementation(() => ok(null));
});

describe("export options", () => {
  it("are pseudonymised by default, every lab, the whole project, a CSV zip in Italian", () => {
    expect(buildExportOptions(defaultExportForm("2026-11-25"))).toEqual({
      selection: { labs: "all", period: { from: "2020-01-01", to: "2026-11-25" } },
      format: "csv_zip",
      privacy: "pseudonymised",
      language: "it",
    });
  });

  it("name the stages", () => {
    const t = translatorFor("it");
    expect(stageText("reading", t)).toBe("Lettura del registro");
    expect(stageText({ writing: "presenze" }, t)).toBe("Scrittura di presenze");
    expect(stageText("packing", t)).toBe("Compressione dei file");
  });

  it("summarise audit rows defensively", () => {
    expect(auditSummary(audit[0]?.details)).toEqual({
      report: null,
      format: "xlsx",
      privacy: "full",
      from: "2026-01-01",
      to: "2026-06-30",
      labs: 1,
      files: 1,
      rows: 1234,
      year: null,
    });
    expect(auditSummary({ options: { format: { pdf_meeting: "m1" }, selection: { labs: "all" } } })).toMatchObject({
      format: "pdf_meeting",
      labs: "all",
      files: null,
    });
    expect(auditSummary(null)).toEqual({
      report: null,
      format: null,
      privacy: null,
      from: null,
      to: null,
      labs: null,
      files: null,
      rows: null,
      year: null,
    });
  });

  it("name a written register of volunteers with its year and files", async () => {
    const row = {
      id: "a2",
      at: "2026-12-07T09:00:00Z",
      device: "d1",
      action: "volunteers_register",
      details: { organisation: "o1", year: 2026, digest: "ab", persons: ["p1"], files: ["a.pdf", "a.csv"] },
    };
    api.auditLog.mockImplementation(() => ok([row as AuditEntry]));
    renderScreen(<Exports />);
    const table = await screen.findByTestId("audit-log");
    const tr = within(table).getAllByRole("row")[1] as HTMLElement;
    expect(tr.textContent).toContain("Registro annuale dei volontari (PDF e CSV)");
    expect(tr.textContent).toContain("2026 · 2 file");
  });
});

describe("the monitoring", () => {
  it("has no PDF: a PDF chosen for the register falls back to the workbook, other formats stay", () => {
    const form = { ...defaultExportForm("2026-11-25"), format: "pdf_months" as const };
    expect(withReport(form, "monitoring")).toMatchObject({ report: "monitoring", format: "xlsx" });
    expect(withReport(defaultExportForm("2026-11-25"), "monitoring").format).toBe("csv_zip");
    expect(auditSummary({ report: "monitoring", options: { format: "xlsx" } }).report).toBe("monitoring");
  });

  it("is exported with its own command, with the selection and privacy of the form", async () => {
    api.exportMonitoring.mockImplementation(() => ok({ paths: ["/home/anna/monitoraggio.xlsx"] }));
    renderScreen(<Exports />);
    await screen.findByTestId("export-preview-what");
    expect(screen.getByRole("radio", { name: /Registri mensili in PDF/ })).toBeTruthy();
    fireEvent.click(screen.getByRole("radio", { name: /Registri mensili in PDF/ }));
    fireEvent.click(screen.getByRole("radio", { name: /Monitoraggio semestrale/ }));
    expect(screen.queryByRole("radio", { name: /Registri mensili in PDF/ })).toBeNull();
    expect((screen.getByRole("radio", { name: /Excel/ }) as HTMLInputElement).checked).toBe(true);
    expect(screen.getByText(/Il monitoraggio si esporta in Excel o in CSV/)).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Quest'anno" }));
    fireEvent.click(screen.getByTestId("export-start"));
    await waitFor(() => expect(api.exportMonitoring).toHaveBeenCalledTimes(1));
    expect(api.exportRegister).not.toHaveBeenCalled();
    expect(api.exportMonitoring.mock.calls[0]?.[0]).toEqual({
      selection: { labs: "all", period: { from: "2026-01-01", to: "2026-11-25" } },
      format: "xlsx",
      privacy: "pseudonymised",
      language: "it",
    });
    expect((await screen.findByTestId("export-done")).textContent).toContain("/home/anna/monitoraggio.xlsx");
  });

  it("is named in the audit log", async () => {
    const details = { ...(audit[0]?.details as object), report: "monitoring" };
    api.auditLog.mockImplementation(() => ok([{ ...(audit[0] as AuditEntry), details }]));
    renderScreen(<Exports />);
    const table = await screen.findByTestId("audit-log");
    const row = within(table).getAllByRole("row")[1] as HTMLElement;
    expect(row.textContent).toContain("Monitoraggio semestrale · Excel (XLSX) · 01/01/2026 – 30/06/2026");
  });
});

describe("Exports screen", () => {
  it("previews what goes out, without names by default", async () => {
    renderScreen(<Exports />);
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Esportazioni");
    const what = await screen.findByTestId("export-preview-what");
    expect(what.textContent).toBe(
      "Dal 01/01/2020 al 25/11/2026, tutti i laboratori: 42 incontri, 310 presenze, 57 famiglie raggiunte.",
    );
    expect(screen.getByTestId("export-preview-privacy").textContent).toBe("Senza nomi né contatti.");
    expect(api.indicators).toHaveBeenCalledWith({
      labs: "all",
      period: { from: "2020-01-01", to: "2026-11-25" },
    });
    expect((screen.getByRole("radio", { name: /Pseudonimizzata/ }) as HTMLInputElement).checked).toBe(true);
    expect(screen.queryByTestId("full-warning")).toBeNull();
  });

  it("builds the options from the form, warns about a full export, and reports progress", async () => {
    const run = deferredExport();
    renderScreen(<Exports />);
    await screen.findByTestId("export-preview-what");
    fireEvent.click(screen.getByRole("button", { name: "Quest'anno" }));
    fireEvent.click(screen.getByRole("radio", { name: "Solo alcuni laboratori" }));
    fireEvent.click(screen.getByRole("checkbox", { name: "1 · Pavia Centro" }));
    fireEvent.click(screen.getByRole("radio", { name: /Excel/ }));
    fireEvent.click(screen.getByRole("radio", { name: /Completa, con i nomi/ }));
    expect(screen.getByTestId("full-warning").textContent).toContain("registro delle attività");
    await waitFor(() => expect(screen.getByTestId("export-preview-privacy").textContent).toContain("Con nomi"));

    fireEvent.click(screen.getByTestId("export-start"));
    await waitFor(() => expect(run.options).not.toBeNull());
    expect(run.options).toEqual({
      selection: { labs: { only: [LAB_2] }, period: { from: "2026-01-01", to: "2026-11-25" } },
      format: "xlsx",
      privacy: "full",
      language: "it",
    });
    expect(screen.getByTestId("export-stage").textContent).toBe("In attesa della scelta del file…");

    act(() => run.channel?.onmessage({ stage: "reading", done: 2, total: 6 }));
    let bar = screen.getByRole("progressbar", { name: "Avanzamento dell'esportazione" });
    expect(bar.getAttribute("aria-valuenow")).toBe("2");
    expect(bar.getAttribute("aria-valuemax")).toBe("6");
    act(() => run.channel?.onmessage({ stage: { writing: "presenze" }, done: 500, total: 1240 }));
    bar = screen.getByRole("progressbar", { name: "Avanzamento dell'esportazione" });
    expect(bar.getAttribute("aria-valuenow")).toBe("500");
    expect(bar.getAttribute("aria-valuemax")).toBe("1240");
    expect(bar.getAttribute("aria-valuetext")).toBe("Scrittura di presenze: 500 di 1240");
    expect(screen.getByTestId("export-stage").textContent).toBe("Scrittura di presenze");

    await act(async () => run.finish({ paths: ["/home/anna/registro-completo.xlsx"] }));
    const done = await screen.findByTestId("export-done");
    expect(done.textContent).toContain("/home/anna/registro-completo.xlsx");
    expect(screen.queryByRole("progressbar", { name: "Avanzamento dell'esportazione" })).toBeNull();
    // The log is read again to show the new row.
    await waitFor(() => expect(api.auditLog).toHaveBeenCalledTimes(2));
  });

  it("says nothing when the save dialog was closed", async () => {
    const run = deferredExport();
    renderScreen(<Exports />);
    await screen.findByTestId("export-preview-what");
    fireEvent.click(screen.getByTestId("export-start"));
    await waitFor(() => expect(run.options?.privacy).toBe("pseudonymised"));
    await act(async () => run.finish(null));
    await waitFor(() => expect(screen.queryByTestId("export-cancel")).toBeNull());
    expect(screen.queryByTestId("export-done")).toBeNull();
    expect(screen.getByRole("alert").textContent).toBe("");
    expect(screen.getByTestId("export-stage").textContent).toBe("");
  });

  it("cancels, and shows the cancellation as a neutral message", async () => {
    const run = deferredExport();
    renderScreen(<Exports />);
    await screen.findByTestId("export-preview-what");
    fireEvent.click(screen.getByTestId("export-start"));
    fireEvent.click(await screen.findByTestId("export-cancel"));
    await waitFor(() => expect(api.cancelExport).toHaveBeenCalledTimes(1));
    await act(async () => run.refuse("cancelled"));
    await waitFor(() => expect(screen.queryByTestId("export-cancel")).toBeNull());
    const status = screen.getAllByRole("status").find((s) => s.closest("[data-live-region]"));
    expect(status?.textContent).toContain("Esportazione annullata: nessun file è stato scritto.");
    expect(screen.getByRole("alert").textContent).toBe("");
  });

  it("shows other failures as errors", async () => {
    const run = deferredExport();
    renderScreen(<Exports />);
    await screen.findByTestId("export-preview-what");
    fireEvent.click(screen.getByTestId("export-start"));
    await waitFor(() => expect(run.options).not.toBeNull());
    await act(async () => run.refuse("internal"));
    await waitFor(() => expect(screen.getByRole("alert").textContent).toContain("errore interno"));
  });

  it("lists the audit log", async () => {
    renderScreen(<Exports />);
    const table = await screen.findByTestId("audit-log");
    const row = within(table).getAllByRole("row")[1] as HTMLElement;
    expect(row.textContent).toContain("24/11/2026 16:30");
    expect(row.textContent).toContain("Esportazione completa");
    expect(row.textContent).toContain("con i nomi");
    expect(row.textContent).toContain("Excel (XLSX) · 01/01/2026 – 30/06/2026 · 1 laboratorio · 1 file · 1234 righe");
  });

  it("does not export an invalid selection", async () => {
    api.indicators.mockImplementation(() => fail({ kind: "internal", detail: "should not be asked" }));
    renderScreen(<Exports />);
    fireEvent.input(screen.getByLabelText("Dal"), { target: { value: "2027-01-01" } });
    expect(screen.getByText("La fine del periodo è prima dell'inizio.")).toBeTruthy();
    expect((screen.getByTestId("export-start") as HTMLButtonElement).disabled).toBe(true);
  });
});
