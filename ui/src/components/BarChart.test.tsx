import { fireEvent, render, screen, within } from "@testing-library/preact";
import { describe, expect, it } from "vitest";
import { I18nProvider } from "../i18n";
import { BarChart, CHART, chooseMode, highest, layoutChart, niceStep, yAxis, type ChartData } from "./BarChart";

const data: ChartData = {
  categories: [
    { key: "2026-01", label: "gen 26", long: "gennaio 2026" },
    { key: "2026-02", label: "feb 26", long: "febbraio 2026" },
    { key: "2026-03", label: "mar 26", long: "marzo 2026" },
  ],
  series: [
    { key: "L1", label: "1 · Centro" },
    { key: "L2", label: "3 · Ovest" },
  ],
  values: [
    [12, 5],
    [0, 0],
    [7, 9],
  ],
};

describe("axis", () => {
  it("rounds the top to a 1-2-5 step", () => {
    expect(niceStep(37)).toBe(10);
    expect(yAxis(37)).toEqual({ top: 40, ticks: [0, 10, 20, 30, 40] });
    expect(yAxis(17)).toEqual({ top: 20, ticks: [0, 5, 10, 15, 20] });
    expect(yAxis(1234)).toEqual({ top: 1500, ticks: [0, 500, 1000, 1500] });
    expect(yAxis(0)).toEqual({ top: 1, ticks: [0, 1] });
    expect(yAxis(3)).toEqual({ top: 3, ticks: [0, 1, 2, 3] });
  });

  it("measures the highest bar by mode", () => {
    expect(highest(data, "grouped")).toBe(12);
    expect(highest(data, "stacked")).toBe(17);
    expect(chooseMode(3)).toBe("grouped");
    expect(chooseMode(4)).toBe("stacked");
  });
});

describe("layoutChart", () => {
  it("places grouped bars side by side, widening them for a few months", () => {
    const layout = layoutChart(data, "grouped");
    // Three months share the minimum plot width: 800 / 3 → 266 px each,
    // with two bars of the widest size (28 px) centred in each.
    expect(layout.categoryWidth).toBe(266);
    expect(layout.width).toBe(CHART.left + 3 * 266 + CHART.right);
    expect(layout.top).toBe(15);
    // Zero values draw nothing.
    expect(layout.bars).toHaveLength(4);
    const [a, b] = layout.bars;
    expect(a).toMatchObject({ category: 0, series: 0, value: 12, x: 153, width: 27, height: 160, y: 50 });
    expect(b?.x).toBe(181);
    expect(b?.height).toBeCloseTo(66.67, 1);
  });

  it("keeps bars narrow when there are many months", () => {
    const many: ChartData = {
      ...data,
      categories: Array.from({ length: 80 }, (_, i) => ({ key: `k${i}`, label: `${i}`, long: `${i}` })),
      values: Array.from({ length: 80 }, () => [1, 2]),
    };
    const layout = layoutChart(many, "grouped");
    // 2 × 12 px + 10 px gap.
    expect(layout.categoryWidth).toBe(34);
    expect(layout.bars[0]?.width).toBe(11);
    expect(layout.labelEvery).toBe(2);
  });

  it("stacks bars on top of each other", () => {
    const layout = layoutChart(data, "stacked");
    expect(layout.top).toBe(20);
    const march = layout.bars.filter((b) => b.category === 2);
    expect(march.map((b) => b.height)).toEqual([70, 90]);
    expect(march.map((b) => b.y)).toEqual([140, 50]);
    expect(march.every((b) => b.x === CHART.left + 2 * 266 + (266 - 40) / 2 && b.width === 40)).toBe(true);
  });
});

describe("BarChart", () => {
  it("is a labelled image with the same figures in a table on demand", () => {
    render(
      <I18nProvider>
        <BarChart data={data} title="Presenze per mese" categoryHeader="Mese" />
      </I18nProvider>,
    );
    const img = screen.getByRole("img");
    expect(img.getAttribute("aria-label")).toBe(
      "Presenze per mese, da gennaio 2026 a marzo 2026; valore più alto 12. Gli stessi dati sono nella tabella.",
    );
    expect(screen.getByRole("list", { name: "Legenda" }).textContent).toContain("3 · Ovest");
    expect(screen.queryByRole("table")).toBeNull();
    const toggle = screen.getByRole("button", { name: "Mostra i dati in tabella" });
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    fireEvent.click(toggle);
    expect(toggle.getAttribute("aria-expanded")).toBe("true");
    const table = screen.getByRole("table", { name: "Presenze per mese" });
    const headers = within(table).getAllByRole("columnheader").map((h) => h.textContent);
    expect(headers).toEqual(["Mese", "1 · Centro", "3 · Ovest", "Totale"]);
    const march = within(table).getByRole("rowheader", { name: "marzo 2026" }).closest("tr");
    expect(march?.textContent).toBe("marzo 20267916");
  });

  it("says when there is nothing to draw", () => {
    render(
      <I18nProvider>
        <BarChart data={{ ...data, values: [[0, 0], [0, 0], [0, 0]] }} title="Presenze" categoryHeader="Mese" />
      </I18nProvider>,
    );
    expect(screen.queryByRole("img")).toBeNull();
    expect(screen.getByText("Nessun dato nel periodo scelto.")).toBeTruthy();
  });
});
