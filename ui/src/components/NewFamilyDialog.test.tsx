import { fireEvent, render, screen } from "@testing-library/preact";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { resetCommands } from "../app/mockBindings";
import { NewFamilyDialog, parseBirthYear } from "./NewFamilyDialog";
import { LAB_1, Providers, fail, flush, ok } from "./testing";

const mocks = vi.hoisted(() => ({ commands: {} as import("../app/mockBindings").MockCommands }));
vi.mock("../bindings", async () => (await import("../app/mockBindings")).bindingsModule(mocks));
const cmd = mocks.commands;

const STAFF = [
  {
    id: "p1",
    code: "PV01-0001",
    first_name: "Olga",
    last_name: "Ferri",
    role: "operator",
    organisation: "",
    phone: "",
    email: "",
    labs: [LAB_1],
  },
];

function type(testId: string, value: string) {
  fireEvent.input(screen.getByTestId(testId), { target: { value } });
}

function choose(testId: string, value: string) {
  fireEvent.change(screen.getByTestId(testId), { target: { value } });
}

async function open(onRegistered = vi.fn()) {
  render(
    <Providers>
      <NewFamilyDialog open lab={LAB_1} onClose={() => {}} onRegistered={onRegistered} />
    </Providers>,
  );
  await flush();
  return onRegistered;
}

/** Fills the legal basis section as the paper form says. */
function fillConsent() {
  choose("new-family-basis", "consent");
  choose("new-family-collected-by", "p1");
}

beforeEach(() => {
  resetCommands(cmd);
  cmd.registerFamily = vi.fn(() => ok({ id: "h1", code: "PV01-0042" }));
  cmd.listStaff = vi.fn(() => ok(STAFF));
});

describe("NewFamilyDialog", () => {
  it("registers the reference person with her legal basis record with Enter and hands back the family", async () => {
    const onRegistered = await open();
    expect(cmd.listStaff).toHaveBeenCalledWith(LAB_1);
    type("new-family-first", "Ilaria");
    type("new-family-last", "Fumagalli");
    type("new-family-phone", " 333 123 4567 ");
    fillConsent();
    choose("new-family-special", "explicit_consent");
    fireEvent.click(screen.getByTestId("new-family-contact"));
    fireEvent.keyDown(screen.getByTestId("new-family-phone"), { key: "Enter" });
    await flush();
    expect(cmd.registerFamily).toHaveBeenCalledWith({
      lab: LAB_1,
      reference: { first_name: "Ilaria", last_name: "Fumagalli", birth_year: null },
      others: [],
      contacts: { phone: "333 123 4567", email: "", address: "" },
      areas: [],
      referral: null,
      consent: {
        basis: "consent",
        special: "explicit_consent",
        notice_version: "2026-01",
        date: "2026-11-25",
        collected_by: "p1",
        guardian: null,
        scopes: ["contact"],
      },
    });
    expect(onRegistered).toHaveBeenCalledWith({ id: "h1", code: "PV01-0042" });
  });

  it("checks the fields, and puts a refusal next to its field", async () => {
    cmd.registerFamily = vi.fn(() => fail({ kind: "invalid", field: "member.birth_year", reason: "1850" }));
    await open(vi.fn());
    type("new-family-first", "Ada");
    type("new-family-birth-year", "85");
    fillConsent();
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

  it("cannot be submitted without the legal basis record", async () => {
    await open();
    type("new-family-first", "Ada");
    type("new-family-last", "Bassi");
    type("new-family-notice", " ");
    fireEvent.click(screen.getByTestId("new-family-save"));
    const text = screen.getByRole("dialog").textContent ?? "";
    expect(text).toContain("Scegli la base giuridica.");
    expect(text).toContain("Scrivi la versione dell'informativa consegnata.");
    expect(text).toContain("Indica chi ha raccolto il consenso.");
    expect(document.activeElement).toBe(screen.getByTestId("new-family-basis"));
    expect(cmd.registerFamily).not.toHaveBeenCalled();
    // A refusal of the core for a consent field goes next to that field.
    cmd.registerFamily = vi.fn(() =>
      fail({ kind: "invalid", field: "household.consent.date", reason: "in the future" }),
    );
    type("new-family-notice", "2026-01");
    fillConsent();
    fireEvent.click(screen.getByTestId("new-family-save"));
    await flush();
    const date = screen.getByTestId("new-family-consent-date");
    expect(date.getAttribute("aria-invalid")).toBe("true");
    expect(date.closest(".field")?.textContent).toContain("Controlla il campo «Data del consenso».");
  });

  it("asks for a parent or guardian when the reference person is a minor", async () => {
    await open();
    expect(screen.queryByTestId("new-family-guardian")).toBeNull();
    type("new-family-first", "Giada");
    type("new-family-last", "Sarti");
    type("new-family-birth-year", "2011");
    fillConsent();
    fireEvent.click(screen.getByTestId("new-family-save"));
    expect(cmd.registerFamily).not.toHaveBeenCalled();
    expect(screen.getByRole("dialog").textContent).toContain(
      "Scrivi nome e cognome del genitore o tutore che firma per la persona minorenne.",
    );
    expect(document.activeElement).toBe(screen.getByTestId("new-family-guardian"));
    type("new-family-guardian", " Rita Sarti ");
    fireEvent.click(screen.getByTestId("new-family-save"));
    await flush();
    expect(cmd.registerFamily).toHaveBeenCalledTimes(1);
    expect(cmd.registerFamily).toHaveBeenCalledWith(
      expect.objectContaining({
        consent: expect.objectContaining({ guardian: { kind: "named", name: "Rita Sarti" } }),
      }),
    );
  });

  it("reads birth years", () => {
    expect(parseBirthYear("")).toBeNull();
    expect(parseBirthYear(" 1988 ")).toBe(1988);
    expect(parseBirthYear("88")).toBeUndefined();
    expect(parseBirthYear("19a8")).toBeUndefined();
  });
});
