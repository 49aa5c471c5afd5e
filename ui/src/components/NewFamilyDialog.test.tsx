import { fireEvent, render, screen } from "@testing-library/preact";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { resetCommands } from "../app/mockBindings";
import { I18nProvider } from "../i18n";
import { NewFamilyDialog, parseBirthYear } from "./NewFamilyDialog";
import { LAB_1, fail, flush, ok } from "./testing";

const mocks = vi.hoisted(() => ({ commands: {} as import("../app/mockBindings").MockCommands }));
vi.mock("../bindings", async () => (await import("../app/mockBindings")).bindingsModule(mocks));
const cmd = mocks.commands;

function type(testId: string, value: string) {
  fireEvent.input(screen.getByTestId(testId), { target: { value } });
}

beforeEach(() => {
  resetCommands(cmd);
  cmd.registerFamily = vi.fn(() => ok({ id: "h1", code: "PV01-0042" }));
});

describe("NewFamilyDialog", () => {
  it("registers the reference person with Enter and hands back the family", async () => {
    const onRegistered = vi.fn();
    render(
      <I18nProvider>
        <NewFamilyDialog open lab={LAB_1} onClose={() => {}} onRegistered={onRegistered} />
      </I18nProvider>,
    );
    type("new-family-first", "Ilaria");
    type("new-family-last", "Fumagalli");
    type("new-family-phone", " 333 123 4567 ");
    fireEvent.keyDown(screen.getByTestId("new-family-phone"), { key: "Enter" });
    await flush();
    expect(cmd.registerFamily).toHaveBeenCalledWith({
      lab: LAB_1,
      reference: { first_name: "Ilaria", last_name: "Fumagalli", birth_year: null },
      others: [],
      contacts: { phone: "333 123 4567", email: "", address: "" },
      areas: [],
      referral: null,
      consent: null,
    });
    expect(onRegistered).toHaveBeenCalledWith({ id: "h1", code: "PV01-0042" });
  });

  it("checks the fields, and puts a refusal next to its field", async () => {
    cmd.registerFamily = vi.fn(() => fail({ kind: "invalid", field: "member.birth_year", reason: "1850" }));
    render(
      <I18nProvider>
        <NewFamilyDialog open lab={LAB_1} onClose={() => {}} onRegistered={() => {}} />
      </I18nProvider>,
    );
    type("new-family-first", "Ada");
    type("new-family-birth-year", "85");
    fireEvent.click(screen.getByTestId("new-family-save"));
    expect(cmd.registerFamily).not.toHaveBeenCalled();
    expect(screen.getByRole("dialog").textContent).toContain("Scrivi il cognome.");
    expect(screen.getByRole("dialog").textContent).toContain("Scrivi l'anno con quattro cifre, per esempio 1985.");
    expect(document.activeElement).toBe(screen.getByTestId("new-family-last"));
    type("new-family-last", "Bassi");
    type("new-family-birth-year", "1850");
    fireEvent.click(screen.getByTestId("new-family-save"));
    await flush();
    const year = screen.getByTestId("new-family-birth-year");
    expect(year.getAttribute("aria-invalid")).toBe("true");
    expect(year.closest(".field")?.textContent).toContain("Controlla il campo «Anno di nascita».");
  });

  it("reads birth years", () => {
    expect(parseBirthYear("")).toBeNull();
    expect(parseBirthYear(" 1988 ")).toBe(1988);
    expect(parseBirthYear("88")).toBeUndefined();
    expect(parseBirthYear("19a8")).toBeUndefined();
  });
});
