import { fireEvent, screen, waitFor, within } from "@testing-library/preact";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Counts, Indicators as IndicatorsData, Selection } from "../bindings";
import { LAB_1, LAB_2, ok, renderScreen, sessionFixture } from "../components/testing";
import { setLanguage } from "../i18n";
import { Indicators } from "./Indicators";

vi.mock("../bindings", () => ({ commands: { indicators: vi.fn() } }));

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

const session = sessionFixture();
const [lab1, lab2] = session.labs as [(typeof session.labs)[0], (typeof session.labs)[0]];

function answer(selection: Selection): IndicatorsData {
  const one = selection.labs !== "all";
  const month = (m: number, a: number) => ({
    month: { year: 2026, month: m },
    days: { from: `2026-0${m}-01`, to: `2026-0${m}-28` },
    counts: counts({ attendances: a }),
  });
  return {
    period: selection.period,
    targets: { families: 800, labs: 10, operators_trained: 60, volunteers_trained: 120, trained_hours: 20 },
    total: counts({
      families_reached: 12345,
      families_accompanied: 412,
      members_reached: 2100,
      minors_reached: 800,
      meetings: 9,
      meetings_by_activity: { open_lab: 5, family_tutoring: 4 },
      attendances: 33,
      guests: 3,
      active_labs: one ? 1 : 2,
      operators_trained: 12,
      volunteers_trained: 130,
      training_minutes: 1510,
    }),
    months: [month(1, 17), month(2, 16)],
    labs: one
      ? [{ lab: lab2, total: counts({ attendances: 14 }), months: [month(1, 5), month(2, 9)] }]
      : [
          { lab: lab1, total: counts({ attendances: 19, families_reached: 700 }), months: [month(1, 12), month(2, 7)] },
          { lab: lab2, total: counts({ attendances: 14, families_reached: 600 }), months: [month(1, 5), month(2, 9)] },
        ],
  };
}

beforeEach(() => {
  vi.resetAllMocks();
  api.indicators.mockImplementation((selection) => ok(answer(selection)));
});

describe("Indicators screen", () => {
  it("asks for every lab over the whole project, and shows the targets", async () => {
    renderScreen(<Indicators />);
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Indicatori");
    const families = await screen.findByTestId("target-families");
    expect(api.indicators).toHaveBeenCalledWith({ labs: "all", period: { from: "2020-01-01", to: "2026-11-25" } });
    const bar = within(families).getByRole("progressbar", { name: "Famiglie accompagnate" });
    expect(bar.getAttribute("aria-valuetext")).toBe("412 su 800 (51%)");
    const volunteers = within(screen.getByTestId("target-volunteers_trained")).getByRole("progressbar");
    expect(volunteers.getAttribute("aria-valuetext")).toBe("130 su 120 (108%)");
  });

  it("shows totals per lab, meetings by activity, numbers in the language", async () => {
    renderScreen(<Indicators />);
    const table = await screen.findByTestId("indicators-totals");
    const headers = within(table).getAllByRole("columnheader").map((h) => h.textContent);
    expect(headers).toEqual(["Indicatore", "Totale", "1 · Pavia Centro", "3 · Pavia Ovest"]);
    const row = (figure: string) => table.querySelector(`[data-figure="${figure}"]`)?.textContent;
    expect(row("families_reached")).toBe("Famiglie raggiunte12.345700600");
    expect(row("meetings:family_tutoring")).toContain("Tutoraggio familiare4");
    expect(row("training_hours")).toContain("25,2");
    setLanguage("en");
    await waitFor(() => expect(row("families_reached")).toBe("Families reached12,345700600"));
    expect(row("training_hours")).toContain("25.2");
  });

  it("asks again for one lab, and draws one series", async () => {
    renderScreen(<Indicators />);
    await screen.findByTestId("target-families");
    expect(screen.getAllByRole("listitem").filter((li) => li.closest(".chart__legend"))).toHaveLength(2);
    fireEvent.change(screen.getByRole("combobox", { name: "Laboratorio" }), { target: { value: LAB_2 } });
    await waitFor(() =>
      expect(api.indicators).toHaveBeenLastCalledWith({
        labs: { only: [LAB_2] },
        period: { from: "2020-01-01", to: "2026-11-25" },
      }),
    );
    await waitFor(() =>
      expect(screen.getAllByRole("listitem").filter((li) => li.closest(".chart__legend"))).toHaveLength(1),
    );
    // One lab: no per-lab columns.
    const headers = within(screen.getByTestId("indicators-totals")).getAllByRole("columnheader");
    expect(headers.map((h) => h.textContent)).toEqual(["Indicatore", "Totale"]);
    expect(LAB_1).not.toBe(LAB_2);
  });

  it("offers the chart's figures as a table", async () => {
    renderScreen(<Indicators />);
    await screen.findByTestId("target-families");
    fireEvent.click(screen.getByRole("button", { name: "Mostra i dati in tabella" }));
    const table = screen.getByRole("table", { name: "Presenze per mese e laboratorio" });
    const feb = within(table).getByRole("rowheader", { name: "febbraio 2026" }).closest("tr");
    expect(feb?.textContent).toBe("febbraio 20267916");
  });

  it("waits for a valid period", async () => {
    renderScreen(<Indicators />);
    await screen.findByTestId("target-families");
    const calls = api.indicators.mock.calls.length;
    fireEvent.input(screen.getByLabelText("Dal"), { target: { value: "2027-01-01" } });
    await new Promise((r) => setTimeout(r, 250));
    expect(api.indicators.mock.calls.length).toBe(calls);
  });
});
