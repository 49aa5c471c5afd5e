import { fireEvent, render, screen, within } from "@testing-library/preact";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { resetCommands } from "../../app/mockBindings";
import { SessionProvider } from "../../app/session";
import type { NomenclatureView } from "../../bindings";
import { ToastProvider } from "../../components/Toast";
import { flush, ok, rightsOf, sessionFixture } from "../../components/testing";
import { I18nProvider, translatorFor } from "../../i18n";
import { Settings } from "../Settings";
import { areaProblems } from "./NomenclatureSetting";

const mocks = vi.hoisted(() => ({ commands: {} as import("../../app/mockBindings").MockCommands }));
vi.mock("../../bindings", async () => (await import("../../app/mockBindings")).bindingsModule(mocks));
const cmd = mocks.commands;

const A1 = { code: "A1", name: "Famiglia e minori" };
const D2 = { code: "D2", name: "Povertà e disagio adulto" };

function view(areas: NomenclatureView["areas"], mapped: Record<string, string | null>): NomenclatureView {
  return {
    areas,
    activity_types: [
      { key: "family_tutoring", label_it: "Tutoraggio familiare", label_en: "Family tutoring", nomenclature: mapped.family_tutoring ?? null },
      { key: "open_lab", label_it: "Laboratorio aperto", label_en: "Open lab", nomenclature: mapped.open_lab ?? null },
    ],
  };
}

function renderSettings(role: "coordinator" | "lead" = "coordinator") {
  render(
    <I18nProvider>
      <ToastProvider>
        <SessionProvider value={{ info: sessionFixture({ role, rights: rightsOf(role) }), refresh: vi.fn(async () => {}) }}>
          <Settings />
        </SessionProvider>
      </ToastProvider>
    </I18nProvider>,
  );
}

beforeEach(() => {
  resetCommands(cmd);
  cmd.recoveryKeys = vi.fn(() => ok([]));
  cmd.nomenclature = vi.fn(() => ok(view([A1], { family_tutoring: "A1" })));
});

describe("the areas of the nomenclature in Impostazioni", () => {
  it("is offered only to those who may change the project's settings", async () => {
    renderSettings("lead");
    await flush();
    expect(screen.queryByTestId("settings-nomenclature")).toBeNull();
    expect(cmd.nomenclature).not.toHaveBeenCalled();
  });

  it("lists the areas and each type's area, not mapped included", async () => {
    renderSettings();
    await flush();
    const list = screen.getByTestId("nomenclature-areas");
    expect(list.textContent).toContain("A1");
    expect(list.textContent).toContain("Famiglia e minori");
    expect(list.textContent).toContain("1 tipo di attività");
    const tutoring = screen.getByTestId("nomenclature-map-family_tutoring") as HTMLSelectElement;
    const open = screen.getByTestId("nomenclature-map-open_lab") as HTMLSelectElement;
    expect(tutoring.value).toBe("A1");
    expect(open.value).toBe("");
    expect(within(open).getAllByRole("option").map((o) => o.textContent)).toEqual([
      "Non classificato",
      "A1 · Famiglia e minori",
    ]);
  });

  it("checks a new area before saving it, then saves it trimmed", async () => {
    cmd.putNomenclatureArea = vi.fn(() => ok(view([A1, D2], { family_tutoring: "A1" })));
    renderSettings();
    await flush();
    fireEvent.input(screen.getByTestId("nomenclature-code"), { target: { value: "ABCDEFGHIJKLMNOPQ" } });
    fireEvent.click(screen.getByTestId("nomenclature-submit"));
    await flush();
    expect(cmd.putNomenclatureArea).not.toHaveBeenCalled();
    const form = screen.getByTestId("nomenclature-add");
    expect(form.textContent).toContain("Il codice ha al massimo 16 caratteri.");
    expect(form.textContent).toContain("Scrivi il nome dell'area.");

    fireEvent.input(screen.getByTestId("nomenclature-code"), { target: { value: " D2 " } });
    fireEvent.input(screen.getByTestId("nomenclature-name"), { target: { value: "Povertà e disagio adulto " } });
    fireEvent.click(screen.getByTestId("nomenclature-submit"));
    await flush();
    expect(cmd.putNomenclatureArea).toHaveBeenCalledWith(D2);
    expect(screen.getByTestId("nomenclature-areas").textContent).toContain("Povertà e disagio adulto");
    expect((screen.getByTestId("nomenclature-code") as HTMLInputElement).value).toBe("");
  });

  it("maps a type to an area and back to not mapped", async () => {
    cmd.setActivityNomenclature = vi.fn((_key: string, code: string | null) =>
      ok(view([A1], { family_tutoring: "A1", open_lab: code })),
    );
    renderSettings();
    await flush();
    fireEvent.change(screen.getByTestId("nomenclature-map-open_lab"), { target: { value: "A1" } });
    await flush();
    expect(cmd.setActivityNomenclature).toHaveBeenLastCalledWith("open_lab", "A1");
    expect((screen.getByTestId("nomenclature-map-open_lab") as HTMLSelectElement).value).toBe("A1");
    fireEvent.change(screen.getByTestId("nomenclature-map-open_lab"), { target: { value: "" } });
    await flush();
    expect(cmd.setActivityNomenclature).toHaveBeenLastCalledWith("open_lab", null);
  });

  it("removes an area in use only once confirmed, and its types show as not mapped", async () => {
    cmd.removeNomenclatureArea = vi.fn(() => ok(view([], {})));
    renderSettings();
    await flush();
    // A1 counts one activity type: asked first, and nothing changes on Annulla.
    fireEvent.click(screen.getByTestId("nomenclature-remove-A1"));
    await flush();
    expect(screen.getByTestId("nomenclature-remove-consequence").textContent).toContain(
      "1 tipo di attività conta in quest'area",
    );
    fireEvent.click(screen.getByTestId("nomenclature-remove-cancel"));
    await flush();
    expect(cmd.removeNomenclatureArea).not.toHaveBeenCalled();
    expect(screen.queryByTestId("nomenclature-remove-consequence")).toBeNull();
    expect(screen.getByTestId("nomenclature-areas").textContent).toContain("A1");

    fireEvent.click(screen.getByTestId("nomenclature-remove-A1"));
    await flush();
    fireEvent.click(screen.getByTestId("nomenclature-remove-confirm"));
    await flush();
    expect(cmd.removeNomenclatureArea).toHaveBeenCalledWith("A1");
    expect(screen.queryByTestId("nomenclature-remove-consequence")).toBeNull();
    expect(screen.getByTestId("nomenclature-none")).toBeTruthy();
    expect((screen.getByTestId("nomenclature-map-family_tutoring") as HTMLSelectElement).value).toBe("");
  });

  it("removes an area no activity type counts in at once", async () => {
    cmd.nomenclature = vi.fn(() => ok(view([A1, D2], { family_tutoring: "A1" })));
    cmd.removeNomenclatureArea = vi.fn(() => ok(view([A1], { family_tutoring: "A1" })));
    renderSettings();
    await flush();
    fireEvent.click(screen.getByTestId("nomenclature-remove-D2"));
    await flush();
    expect(cmd.removeNomenclatureArea).toHaveBeenCalledWith("D2");
    expect(screen.queryByTestId("nomenclature-remove-consequence")).toBeNull();
    expect(screen.getByTestId("nomenclature-areas").textContent).not.toContain("D2");
  });

  it("says what is wrong with a typed area", () => {
    const t = translatorFor("it");
    expect(areaProblems("", "x", t)).toEqual({ code: "Scrivi il codice dell'area." });
    expect(areaProblems("A1", " ", t)).toEqual({ name: "Scrivi il nome dell'area." });
    expect(areaProblems(" A1 ", "Famiglia", t)).toEqual({});
    expect(areaProblems("x".repeat(16), "ok", t)).toEqual({});
    expect(areaProblems("x".repeat(17), "ok", t).code).toBe("Il codice ha al massimo 16 caratteri.");
  });
});
