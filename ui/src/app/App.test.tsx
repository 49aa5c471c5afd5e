import { act, cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/preact";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AppStatus, SessionInfo } from "../bindings";
import { LAB_1, LAB_2, fail, flush, ok, rightsOf, sessionFixture } from "../components/testing";
import { getLanguage, setLanguage } from "../i18n";
import { App } from "./App";
import { resetCommands } from "./mockBindings";
import { SECTIONS, sectionsFor } from "./sections";
import { matchShortcut } from "./shortcuts";

const mocks = vi.hoisted(() => ({
  commands: {} as import("./mockBindings").MockCommands,
  lockListeners: [] as import("./mockBindings").LockListener[],
}));

vi.mock("../bindings", async () => (await import("./mockBindings")).bindingsModule(mocks));

const cmd = mocks.commands;

function status(register: AppStatus["register"], language: "it" | "en" = "it"): AppStatus {
  return { register, settings: { language, lab: LAB_1, lock_after_minutes: 15 } };
}

/** Starts the app on an open register and waits for the shell. */
async function openApp(info: SessionInfo = sessionFixture(), initialSection?: (typeof SECTIONS)[number]["id"]) {
  cmd.appStatus = vi.fn(() => ok(status("unlocked", info.settings.language ?? "it")));
  cmd.sessionInfo = vi.fn(() => ok(info));
  render(<App initialSection={initialSection} />);
  await screen.findByRole("navigation");
  // Effects (shortcuts, title, focus) run after the render.
  await flush();
}

function nav() {
  return screen.getByRole("navigation", { name: "Sezioni" });
}

beforeEach(() => {
  resetCommands(cmd);
  mocks.lockListeners.length = 0;
  cmd.listMeetings = vi.fn(() => ok([]));
  cmd.setLanguage = vi.fn(() => ok(null));
});

afterEach(() => {
  vi.useRealTimers();
});

describe("starting", () => {
  it("shows the first run on a new computer, in the saved language", async () => {
    cmd.appStatus = vi.fn(() => ok(status("new", "en")));
    const { container } = render(<App />);
    // Nothing with words before the language is known.
    expect(container.textContent).toBe("");
    expect(await screen.findByRole("heading", { level: 1, name: "Welcome to Taccuino" })).toBeTruthy();
    expect(getLanguage()).toBe("en");
    expect(screen.getByTestId("first-run")).toBeTruthy();
  });

  it("shows the unlock screen for a locked register", async () => {
    cmd.appStatus = vi.fn(() => ok(status("locked")));
    render(<App />);
    expect(await screen.findByRole("heading", { level: 1, name: "Il registro è bloccato" })).toBeTruthy();
    await flush();
    expect(document.activeElement).toBe(screen.getByTestId("unlock-passphrase"));
    expect(screen.queryByRole("navigation")).toBeNull();
  });

  it("opens straight into the shell when the register is already open", async () => {
    await openApp();
    expect(cmd.sessionInfo).toHaveBeenCalledTimes(1);
    expect(screen.getByTestId("screen-meetings")).toBeTruthy();
    // Not just unlocked: whoever was named still is, nobody is asked.
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("says so when it cannot start, and retries", async () => {
    cmd.appStatus = vi.fn(() => fail({ kind: "bad_file", detail: "settings.json: expected value" }));
    render(<App />);
    expect(await screen.findByRole("heading", { level: 1, name: "Taccuino non riesce a partire" })).toBeTruthy();
    cmd.appStatus = vi.fn(() => ok(status("new")));
    fireEvent.click(screen.getByRole("button", { name: "Riprova" }));
    expect(await screen.findByTestId("first-run")).toBeTruthy();
  });
});

describe("the shell", () => {
  it("has landmarks, a skip link and the lab's name", async () => {
    await openApp(sessionFixture({ labs: [sessionFixture().labs[1]!], lab: LAB_2 }));
    expect(screen.getByRole("banner").textContent).toContain("Pavia Ovest");
    expect(screen.getByRole("main")).toBeTruthy();
    const skip = screen.getByRole("link", { name: "Vai al contenuto principale" });
    fireEvent.click(skip);
    expect(document.activeElement).toBe(screen.getByRole("heading", { level: 1, name: "Incontri" }));
  });

  it("lists the eight sections with test ids, the current one marked", async () => {
    await openApp(sessionFixture({ role: "volunteer", rights: rightsOf("volunteer") }));
    const items = within(nav()).getAllByRole("button");
    expect(items.map((b) => b.querySelector(".nav__label")?.textContent)).toEqual([
      "Incontri",
      "Famiglie",
      "Operatori e volontari",
      "Formazione",
      "Sincronizzazione",
      "Indicatori",
      "Esportazioni",
      "Impostazioni",
    ]);
    expect(items.map((b) => b.dataset.testid)).toEqual(sectionsFor(rightsOf("volunteer"), true).map((s) => `nav-${s.id}`));
    expect(items[0]?.getAttribute("aria-current")).toBe("page");
    expect(items.filter((b) => b.hasAttribute("aria-current"))).toHaveLength(1);
    expect(items[7]?.getAttribute("aria-keyshortcuts")).toBe("Alt+8");
  });

  it("navigates by clicking, updates the title and focuses the new heading", async () => {
    await openApp();
    fireEvent.click(screen.getByTestId("nav-settings"));
    const heading = screen.getByRole("heading", { level: 1, name: "Impostazioni" });
    expect(document.activeElement).toBe(heading);
    expect(document.title).toBe("Impostazioni · Taccuino");
    expect(screen.getByTestId("screen-settings")).toBeTruthy();
    expect(screen.getByTestId("nav-settings").getAttribute("aria-current")).toBe("page");
  });

  it("shows Riservatezza last to coordinators, leads and the demo register only", async () => {
    cmd.privacySettings = vi.fn(() => ok({ inactive_years: 5, stale_device_days: 30, volunteer_years: 5 }));
    cmd.retentionDue = vi.fn(() => ok([]));
    cmd.auditTrail = vi.fn(() => ok([]));
    for (const role of ["coordinator", "lead", null] as const) {
      await openApp(sessionFixture({ role, rights: rightsOf(role) }));
      const items = within(nav()).getAllByRole("button");
      // Coordinators and leads also have Dispositivi, after it, and the
      // conflicting edits (Alt+C, which takes no number) after
      // Sincronizzazione; coordinators the volunteers' register last.
      expect(items).toHaveLength(role === null ? 10 : role === "lead" ? 11 : 12);
      expect(items[9]?.dataset.testid).toBe("nav-privacy");
      expect(items[9]?.getAttribute("aria-keyshortcuts")).toBe("Alt+9");
      fireEvent.keyDown(document.body, { key: "9", code: "Digit9", altKey: true });
      expect(screen.getByRole("heading", { level: 1, name: "Riservatezza" })).toBeTruthy();
      cleanup();
    }
    for (const role of ["volunteer", "operator"] as const) {
      await openApp(sessionFixture({ role, rights: rightsOf(role) }));
      expect(screen.queryByTestId("nav-privacy")).toBeNull();
      cleanup();
    }
  });

  it("takes coordinators and leads to the conflicting edits with Alt+C, with their count in the navigation", async () => {
    cmd.conflictCount = vi.fn(() => ok(3));
    cmd.listConflicts = vi.fn(() => ok({ total: 0, conflicts: [] }));
    for (const role of ["coordinator", "lead", null] as const) {
      await openApp(sessionFixture({ role, rights: rightsOf(role) }));
      const entry = screen.getByTestId("nav-conflicts");
      expect(entry.getAttribute("aria-keyshortcuts")).toBe("Alt+C");
      await waitFor(() => expect(screen.getByTestId("nav-conflicts-count").textContent).toBe("3"));
      expect(screen.getByTestId("nav-conflicts-count").getAttribute("aria-label")).toBe("3 modifiche in conflitto");
      // The other sections keep their numbers: Sincronizzazione is still Alt+5.
      expect(screen.getByTestId("nav-sync").getAttribute("aria-keyshortcuts")).toBe("Alt+5");
      fireEvent.keyDown(document.body, { key: "c", code: "KeyC", altKey: true });
      expect(screen.getByRole("heading", { level: 1, name: "Modifiche in conflitto" })).toBeTruthy();
      cleanup();
    }
    for (const role of ["volunteer", "operator"] as const) {
      await openApp(sessionFixture({ role, rights: rightsOf(role) }));
      expect(screen.queryByTestId("nav-conflicts")).toBeNull();
      fireEvent.keyDown(document.body, { key: "c", code: "KeyC", altKey: true });
      expect(screen.queryByRole("heading", { level: 1, name: "Modifiche in conflitto" })).toBeNull();
      cleanup();
    }
  });

  it("shows Riservatezza by the rights the shell sent, never by the role", async () => {
    cmd.auditTrail = vi.fn(() => ok([]));
    // A lead whose rights say nothing: no section, no Alt+9, no help line,
    // and asking for it opens the default section.
    await openApp(sessionFixture({ role: "lead", rights: [] }), "privacy");
    expect(screen.getByRole("heading", { level: 1, name: "Incontri" })).toBeTruthy();
    expect(screen.queryByTestId("nav-privacy")).toBeNull();
    fireEvent.keyDown(document.body, { key: "9", code: "Digit9", altKey: true });
    expect(screen.queryByRole("heading", { level: 1, name: "Riservatezza" })).toBeNull();
    fireEvent.keyDown(document.body, { key: "?", code: "Minus", shiftKey: true });
    expect(screen.getByRole("dialog").textContent).not.toContain("Riservatezza");
    cleanup();
    // A volunteer's laptop that may read the trail: the section, the trail only.
    await openApp(sessionFixture({ role: "volunteer", rights: ["read_audit_trail"] }), "privacy");
    expect(screen.getByRole("heading", { level: 1, name: "Riservatezza" })).toBeTruthy();
    expect(screen.getByTestId("nav-privacy").getAttribute("aria-keyshortcuts")).toBe("Alt+9");
    expect(screen.getByTestId("privacy-trail")).toBeTruthy();
    expect(screen.queryByTestId("privacy-policy")).toBeNull();
  });

  it("shows Dispositivi tenth to coordinators and leads, never to volunteers, operators or the demo register", async () => {
    const listDevices = vi.fn(() => ok({ devices: [], requests: [], this_device: "d-1" }));
    cmd.listDevices = listDevices;
    for (const role of ["coordinator", "lead"] as const) {
      await openApp(sessionFixture({ role, rights: rightsOf(role) }));
      const items = within(nav()).getAllByRole("button");
      // After the conflicting edits (Alt+C, no number) it is the tenth
      // numbered one; last for leads, coordinators have the volunteers'
      // register after it.
      const devices = items[10];
      expect(devices?.dataset.testid).toBe("nav-devices");
      expect(items.at(-1)?.dataset.testid).toBe(role === "lead" ? "nav-devices" : "nav-volunteers");
      expect(devices?.querySelector(".nav__label")?.textContent).toBe("Dispositivi");
      // The tenth section: Alt+0.
      expect(devices?.getAttribute("aria-keyshortcuts")).toBe("Alt+0");
      fireEvent.keyDown(document.body, { key: "0", code: "Digit0", altKey: true });
      expect(screen.getByRole("heading", { level: 1, name: "Dispositivi" })).toBeTruthy();
      fireEvent.keyDown(document.body, { key: "?", code: "Minus", shiftKey: true });
      expect(screen.getByRole("dialog").textContent).toContain("Vai a «Dispositivi»");
      cleanup();
    }
    for (const role of ["volunteer", "operator"] as const) {
      await openApp(sessionFixture({ role, rights: rightsOf(role) }), "devices");
      expect(screen.queryByTestId("nav-devices")).toBeNull();
      // Asked for anyway (the section open before a lock): the default one opens.
      expect(screen.getByRole("heading", { level: 1, name: "Incontri" })).toBeTruthy();
      fireEvent.keyDown(document.body, { key: "0", code: "Digit0", altKey: true });
      expect(screen.queryByRole("heading", { level: 1, name: "Dispositivi" })).toBeNull();
      cleanup();
    }
    // The demo register has every right, but no hub to ask.
    listDevices.mockClear();
    await openApp(sessionFixture({ role: null, rights: rightsOf(null) }), "devices");
    expect(rightsOf(null)).toContain("manage_devices");
    expect(screen.queryByTestId("nav-devices")).toBeNull();
    expect(screen.getByRole("heading", { level: 1, name: "Incontri" })).toBeTruthy();
    expect(listDevices).not.toHaveBeenCalled();
  });

  it("navigates with Alt+1 … Alt+8", async () => {
    await openApp(sessionFixture({ role: "volunteer", rights: rightsOf("volunteer") }));
    fireEvent.keyDown(document.body, { key: "8", code: "Digit8", altKey: true });
    expect(screen.getByRole("heading", { level: 1, name: "Impostazioni" })).toBeTruthy();
    fireEvent.keyDown(document.body, { key: "1", code: "Numpad1", altKey: true });
    expect(screen.getByRole("heading", { level: 1, name: "Incontri" })).toBeTruthy();
    // The current section again: focus still goes to its heading.
    screen.getByRole("banner").querySelector("button")?.focus();
    fireEvent.keyDown(document.body, { key: "1", code: "Digit1", altKey: true });
    expect(document.activeElement).toBe(screen.getByRole("heading", { level: 1, name: "Incontri" }));
    // Alt+9: no such section, nothing happens.
    fireEvent.keyDown(document.body, { key: "9", code: "Digit9", altKey: true });
    expect(screen.getByRole("heading", { level: 1, name: "Incontri" })).toBeTruthy();
  });

  it("opens the shortcuts help with ?, and not while typing", async () => {
    await openApp();
    fireEvent.keyDown(document.body, { key: "?", code: "Minus", shiftKey: true });
    const dialog = screen.getByRole("dialog", { name: "Scorciatoie da tastiera" });
    expect(dialog.textContent).toContain("Vai a «Impostazioni»");
    expect(dialog.textContent).toContain("Nuovo incontro");
    // Shortcuts are off while the dialog is open.
    fireEvent.keyDown(document.body, { key: "8", code: "Digit8", altKey: true });
    expect(screen.queryByRole("heading", { level: 1, name: "Impostazioni" })).toBeNull();
    fireEvent.keyDown(dialog, { key: "Escape" });
    expect(screen.queryByRole("dialog")).toBeNull();

    const input = document.createElement("input");
    screen.getByRole("main").append(input);
    fireEvent.keyDown(input, { key: "?" });
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("switches language from the header, everywhere, and keeps the choice", async () => {
    await openApp();
    fireEvent.change(screen.getByRole("combobox", { name: "Lingua" }), { target: { value: "en" } });
    const sections = screen.getByRole("navigation", { name: "Sections" });
    expect(within(sections).getByRole("button", { name: /Meetings/ })).toBeTruthy();
    expect(screen.getByRole("heading", { level: 1, name: "Meetings" })).toBeTruthy();
    expect(document.documentElement.lang).toBe("en");
    expect(document.title).toBe("Meetings · Taccuino");
    expect(cmd.setLanguage).toHaveBeenCalledWith("en");
  });

  it("focuses the new heading even right after a language change", async () => {
    // Regression: an effect left over from the language's re-render ran just
    // before the navigation's render and focused the old heading.
    await openApp();
    setLanguage("en");
    await flush(1);
    fireEvent.keyDown(document.body, { key: "8", code: "Digit8", altKey: true });
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 150));
    });
    expect(document.activeElement).toBe(screen.getByRole("heading", { level: 1, name: "Settings" }));
  });

  it("offers a lab picker when the register has several labs", async () => {
    const info = sessionFixture();
    await openApp(info);
    const picker = screen.getByTestId("lab-picker") as HTMLSelectElement;
    expect(picker.value).toBe(LAB_1);
    expect(within(picker).getAllByRole("option").map((o) => o.textContent)).toEqual(["Pavia Centro", "Pavia Ovest"]);
    const moved = { ...info, lab: LAB_2 };
    cmd.selectLab = vi.fn(() => ok(moved));
    cmd.sessionInfo = vi.fn(() => ok(moved));
    fireEvent.change(picker, { target: { value: LAB_2 } });
    await flush();
    expect(cmd.selectLab).toHaveBeenCalledWith(LAB_2);
    expect((screen.getByTestId("lab-picker") as HTMLSelectElement).value).toBe(LAB_2);
    // The week is now the other lab's.
    expect(cmd.listMeetings).toHaveBeenLastCalledWith(LAB_2, "2026-11-23", "2026-11-29");
  });
});

describe("locking", () => {
  it("locks with the button, refuses a wrong passphrase, and unlocks back to the same section", async () => {
    await openApp(sessionFixture(), "training");
    cmd.lockRegister = vi.fn(() => ok(null));
    fireEvent.click(screen.getByTestId("lock"));
    const input = (await screen.findByTestId("unlock-passphrase")) as HTMLInputElement;
    await flush();
    expect(document.activeElement).toBe(input);
    expect(cmd.lockRegister).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole("navigation")).toBeNull();
    expect(document.title).toBe("Il registro è bloccato · Taccuino");
    // No shortcuts while locked.
    fireEvent.keyDown(document.body, { key: "1", code: "Digit1", altKey: true });
    expect(screen.queryByRole("navigation")).toBeNull();

    // Enter with nothing typed: asks for it, calls nothing.
    cmd.unlock = vi.fn(() => fail({ kind: "wrong_passphrase" }));
    fireEvent.submit(input.form!);
    expect(screen.getByTestId("unlock-error").textContent).toBe("Scrivi la passphrase.");
    expect(cmd.unlock).not.toHaveBeenCalled();

    fireEvent.input(input, { target: { value: "non è lei" } });
    fireEvent.click(screen.getByTestId("unlock-submit"));
    await flush();
    const error = screen.getByTestId("unlock-error");
    expect(error.getAttribute("role")).toBe("alert");
    expect(error.textContent).toBe("La passphrase non è corretta.");
    expect(cmd.unlock).toHaveBeenCalledWith("non è lei");

    cmd.unlock = vi.fn(() => ok(sessionFixture()));
    cmd.listStaff = vi.fn(() => ok([]));
    cmd.setOperator = vi.fn(() => ok(sessionFixture()));
    cmd.sessionInfo = vi.fn(() => ok(sessionFixture()));
    fireEvent.input(input, { target: { value: "quaderno a righe 7" } });
    fireEvent.submit(input.form!);
    expect(await screen.findByRole("heading", { level: 1, name: "Formazione" })).toBeTruthy();
    // Who is using the register is asked over the screen (OperatorDialog.test.tsx);
    // once answered, focus is on the section's heading.
    fireEvent.click(await screen.findByRole("button", { name: "Preferisco non indicarlo" }));
    await waitFor(() =>
      expect(document.activeElement).toBe(screen.getByRole("heading", { level: 1, name: "Formazione" })),
    );
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("shows the unlock screen when the register locks itself", async () => {
    await openApp();
    expect(mocks.lockListeners).toHaveLength(1);
    act(() => mocks.lockListeners[0]!({ payload: { after_minutes: 15 } }));
    expect(await screen.findByText("Registro bloccato dopo 15 minuti senza attività.")).toBeTruthy();
    expect(screen.queryByRole("navigation")).toBeNull();
  });

  it("unlocks with the recovery key", async () => {
    cmd.appStatus = vi.fn(() => ok(status("locked")));
    cmd.unlockWithRecovery = vi.fn(() => fail({ kind: "wrong_recovery_key" }));
    render(<App />);
    fireEvent.click(await screen.findByRole("button", { name: "Ho dimenticato la passphrase" }));
    const key = screen.getByRole("textbox", { name: "Chiave di recupero" });
    fireEvent.input(key, { target: { value: "  tcr1-abcd  " } });
    fireEvent.click(screen.getByTestId("unlock-submit"));
    await flush();
    expect(cmd.unlockWithRecovery).toHaveBeenCalledWith("tcr1-abcd");
    expect(screen.getByTestId("unlock-error").textContent).toBe("La chiave di recupero non è corretta.");
    cmd.unlockWithRecovery = vi.fn(() => ok(sessionFixture()));
    cmd.setNewPassphrase = vi.fn(() => ok(null));
    fireEvent.click(screen.getByTestId("unlock-submit"));
    // Not into the register yet: a new passphrase first.
    expect(await screen.findByRole("heading", { level: 1, name: "Scegli una nuova passphrase" })).toBeTruthy();
    expect(screen.queryByRole("navigation")).toBeNull();
    fireEvent.input(screen.getByTestId("recovery-new-passphrase"), { target: { value: "matita blu 12" } });
    fireEvent.input(screen.getByTestId("recovery-new-passphrase-confirm"), { target: { value: "matita blu 12" } });
    fireEvent.click(screen.getByTestId("recovery-new-passphrase-submit"));
    expect(await screen.findByRole("navigation")).toBeTruthy();
    expect(cmd.setNewPassphrase).toHaveBeenCalledWith("matita blu 12");
  });
});

describe("matchShortcut", () => {
  const key = (init: Partial<KeyboardEvent>) =>
    ({ key: "", code: "", altKey: false, ctrlKey: false, metaKey: false, shiftKey: false, target: null, ...init }) as KeyboardEvent;

  it("maps Alt+digits by physical key", () => {
    // On a Mac, Option+1 types "¡": the code still says Digit1.
    expect(matchShortcut(key({ key: "¡", code: "Digit1", altKey: true }), SECTIONS.length)).toEqual({
      type: "section",
      index: 0,
    });
    expect(matchShortcut(key({ key: "8", code: "Digit8", altKey: true }), 8)).toEqual({ type: "section", index: 7 });
    expect(matchShortcut(key({ key: "9", code: "Digit9", altKey: true }), 8)).toBeNull();
    // Alt+0 is the tenth section, when there is one.
    expect(matchShortcut(key({ key: "0", code: "Digit0", altKey: true }), 10)).toEqual({ type: "section", index: 9 });
    expect(matchShortcut(key({ key: "0", code: "Numpad0", altKey: true }), 9)).toBeNull();
    expect(matchShortcut(key({ key: "1", code: "Digit1", altKey: true, ctrlKey: true }), 8)).toBeNull();
    expect(matchShortcut(key({ key: "1", code: "Digit1" }), 8)).toBeNull();
  });

  it("maps Alt+letter by physical key, only to a section's own letter", () => {
    // "ç" is what Alt+C types on an Italian Mac: the physical key decides.
    expect(matchShortcut(key({ key: "ç", code: "KeyC", altKey: true }), 8, ["C"])).toEqual({
      type: "letter",
      letter: "C",
    });
    expect(matchShortcut(key({ key: "c", code: "KeyC", altKey: true }), 8, [])).toBeNull();
    expect(matchShortcut(key({ key: "x", code: "KeyX", altKey: true }), 8, ["C"])).toBeNull();
    expect(matchShortcut(key({ key: "C", code: "KeyC", altKey: true, shiftKey: true }), 8, ["C"])).toBeNull();
  });

  it("opens help with ? or F1", () => {
    expect(matchShortcut(key({ key: "?", shiftKey: true }), 8)).toEqual({ type: "help" });
    expect(matchShortcut(key({ key: "F1" }), 8)).toEqual({ type: "help" });
    expect(matchShortcut(key({ key: "?", ctrlKey: true }), 8)).toBeNull();
  });
});
