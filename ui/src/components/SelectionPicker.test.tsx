import { fireEvent, render, screen } from "@testing-library/preact";
import { useState } from "preact/hooks";
import { describe, expect, it } from "vitest";
import type { Lab } from "../bindings";
import { I18nProvider } from "../i18n";
import {
  PROJECT_START,
  SelectionPicker,
  defaultSelection,
  matchingQuickPeriod,
  quickPeriod,
  selectionProblem,
  toSelection,
  type SelectionValue,
} from "./SelectionPicker";

const labs: Lab[] = [
  { id: "L1", number: 1, name: "Centro", address: "", partner: "" },
  { id: "L2", number: 3, name: "Ovest", address: "", partner: "" },
];

describe("periods", () => {
  it("computes the quick choices from today", () => {
    expect(quickPeriod("year", "2026-11-25")).toEqual({ from: "2026-01-01", to: "2026-11-25" });
    expect(quickPeriod("last12", "2026-11-25")).toEqual({ from: "2025-12-01", to: "2026-11-25" });
    expect(quickPeriod("last12", "2026-12-31")).toEqual({ from: "2026-01-01", to: "2026-12-31" });
    expect(quickPeriod("last12", "2026-03-10")).toEqual({ from: "2025-04-01", to: "2026-03-10" });
    expect(quickPeriod("all", "2026-11-25")).toEqual({ from: PROJECT_START, to: "2026-11-25" });
    expect(PROJECT_START).toBe("2020-01-01");
  });

  it("defaults to every lab over the whole project", () => {
    const v = defaultSelection("2026-11-25");
    expect(v).toEqual({ labs: "all", from: "2020-01-01", to: "2026-11-25" });
    expect(matchingQuickPeriod(v, "2026-11-25")).toBe("all");
  });

  it("finds what is wrong", () => {
    const ok: SelectionValue = { labs: "all", from: "2026-01-01", to: "2026-02-01" };
    expect(selectionProblem(ok)).toBeNull();
    expect(selectionProblem({ ...ok, from: "" })).toBe("from");
    expect(selectionProblem({ ...ok, to: "2026-02-30" })).toBe("to");
    expect(selectionProblem({ ...ok, from: "2026-03-01" })).toBe("order");
    expect(selectionProblem({ ...ok, labs: [] })).toBe("labs");
  });

  it("builds the Rust side's Selection", () => {
    expect(toSelection({ labs: "all", from: "2026-01-01", to: "2026-02-01" })).toEqual({
      labs: "all",
      period: { from: "2026-01-01", to: "2026-02-01" },
    });
    expect(toSelection({ labs: ["L2"], from: "2026-01-01", to: "2026-02-01" }).labs).toEqual({ only: ["L2"] });
  });
});

function Harness({ mode }: { mode: "single" | "multiple" }) {
  const [value, setValue] = useState<SelectionValue>(defaultSelection("2026-11-25"));
  return (
    <I18nProvider>
      <SelectionPicker value={value} onChange={setValue} labs={labs} today="2026-11-25" labMode={mode} />
      <output data-testid="value">{JSON.stringify(value)}</output>
    </I18nProvider>
  );
}

const value = () => JSON.parse(screen.getByTestId("value").textContent ?? "{}") as SelectionValue;

describe("SelectionPicker", () => {
  it("applies quick choices and marks the current one", () => {
    render(<Harness mode="single" />);
    const all = screen.getByRole("button", { name: "Tutto il progetto" });
    expect(all.getAttribute("aria-pressed")).toBe("true");
    fireEvent.click(screen.getByRole("button", { name: "Quest'anno" }));
    expect(value()).toMatchObject({ from: "2026-01-01", to: "2026-11-25" });
    expect(screen.getByRole("button", { name: "Quest'anno" }).getAttribute("aria-pressed")).toBe("true");
    expect(all.getAttribute("aria-pressed")).toBe("false");
  });

  it("flags a period that ends before it starts", () => {
    render(<Harness mode="single" />);
    fireEvent.input(screen.getByLabelText("Al"), { target: { value: "2019-05-01" } });
    expect(screen.getByText("La fine del periodo è prima dell'inizio.")).toBeTruthy();
  });

  it("picks all labs or one", () => {
    render(<Harness mode="single" />);
    fireEvent.change(screen.getByRole("combobox", { name: "Laboratorio" }), { target: { value: "L2" } });
    expect(value().labs).toEqual(["L2"]);
    fireEvent.change(screen.getByRole("combobox", { name: "Laboratorio" }), { target: { value: "" } });
    expect(value().labs).toBe("all");
  });

  it("picks any set of labs, in lab order", () => {
    render(<Harness mode="multiple" />);
    fireEvent.click(screen.getByRole("radio", { name: "Solo alcuni laboratori" }));
    expect(value().labs).toEqual(["L1", "L2"]);
    fireEvent.click(screen.getByRole("checkbox", { name: "1 · Centro" }));
    expect(value().labs).toEqual(["L2"]);
    fireEvent.click(screen.getByRole("checkbox", { name: "3 · Ovest" }));
    expect(value().labs).toEqual([]);
    expect(screen.getByRole("alert").textContent).toBe("Scegli almeno un laboratorio.");
    fireEvent.click(screen.getByRole("checkbox", { name: "3 · Ovest" }));
    fireEvent.click(screen.getByRole("checkbox", { name: "1 · Centro" }));
    expect(value().labs).toEqual(["L1", "L2"]);
    fireEvent.click(screen.getByRole("radio", { name: "Tutti i laboratori" }));
    expect(value().labs).toBe("all");
  });
});
