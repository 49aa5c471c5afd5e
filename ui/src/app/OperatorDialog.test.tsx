import { fireEvent, render, screen, waitFor, within } from "@testing-library/preact";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { AppStatus, Person, SessionInfo } from "../bindings";
import { LAB_1, LAB_2, fail, flush, ok, rightsOf, sessionFixture } from "../components/testing";
import { App } from "./App";
import { resetCommands } from "./mockBindings";
import { operatorScope, preselected } from "./OperatorDialog";

const mocks = vi.hoisted(() => ({
  commands: {} as import("./mockBindings").MockCommands,
  lockListeners: [] as import("./mockBindings").LockListener[],
}));

vi.mock("../bindings", async () => (await import("./mockBindings")).bindingsModule(mocks));

const cmd = mocks.commands;

function person(n: number, first: string, last: string, labs: string[] = [LAB_1]): Person {
  return {
    id: `0190b000-0000-7000-8000-00000000000${n}`,
    code: `PV01-S00${n}`,
    first_name: first,
    last_name: last,
    role: n % 2 ? "volunteer" : "operator",
    organisation: "",
    phone: "",
    email: "",
    labs,
  } as Person;
}

const ANNA = person(1, "Anna", "Bianchi");
const BRUNO = person(2, "Bruno", "Verdi", [LAB_1, LAB_2]);
const STAFF = [ANNA, BRUNO];

/** A session whose settings remember `last` as the last person chosen here. */
function session(overrides: Partial<SessionInfo> = {}, last: Person | null = null): SessionInfo {
  const base = sessionFixture(overrides);
  return { ...base, operator: base.operator ?? null, settings: { ...base.settings, last_operator: last?.id ?? null } };
}

function status(register: AppStatus["register"]): AppStatus {
  return { register, settings: { language: "it", lab: LAB_1, lock_after_minutes: 15 } };
}

/** Starts on the unlock screen and unlocks into `info`. */
async function unlockInto(info: SessionInfo) {
  cmd.appStatus = vi.fn(() => ok(status("locked")));
  cmd.unlock = vi.fn(() => ok(info));
  render(<App />);
  fireEvent.input(await screen.findByTestId("unlock-passphrase"), { target: { value: "quaderno a righe 7" } });
  fireEvent.click(screen.getByTestId("unlock-submit"));
  return screen.findByRole("dialog", { name: "Chi sta usando il registro?" });
}

/** The radio buttons of the picker, by the person's name. */
function radio(name: string): HTMLInputElement {
  return screen.getByRole("radio", { name: new RegExp(name) }) as HTMLInputElement;
}

function operatorButton(): HTMLElement {
  return screen.getByTestId("operator-button");
}

beforeEach(() => {
  resetCommands(cmd);
  mocks.lockListeners.length = 0;
  cmd.listMeetings = vi.fn(() => ok([]));
  cmd.listStaff = vi.fn(() => ok(STAFF));
});

describe("who is using the register", () => {
  it("asks after unlocking, with the person chosen last time on this computer selected", async () => {
    const info = session({ role: "volunteer", rights: rightsOf("volunteer") }, BRUNO);
    const dialog = await unlockInto(info);
    await waitFor(() => expect(document.activeElement).toBe(radio("Bruno Verdi")));
    expect(cmd.listStaff).toHaveBeenCalledWith(LAB_1);
    expect(within(dialog).getByRole("group", { name: "Operatori e volontari del laboratorio Pavia Centro" })).toBeTruthy();
    expect(radio("Bruno Verdi").checked).toBe(true);
    expect(radio("Anna Bianchi").checked).toBe(false);
    expect(radio("Bruno Verdi").closest("label")?.textContent).toContain("scelta l'ultima volta");
    // Native radio buttons: the arrows move among the people, Tab reaches the buttons.
    const confirm = screen.getByTestId("operator-confirm");
    expect(confirm.textContent).toBe("Continua come Bruno Verdi");

    const named = { ...info, operator: BRUNO };
    cmd.setOperator = vi.fn(() => ok(named));
    cmd.sessionInfo = vi.fn(() => ok(named));
    fireEvent.click(confirm);
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(cmd.setOperator).toHaveBeenCalledWith(BRUNO.id);
    expect(operatorButton().textContent).toBe("Chi usa il registro: Bruno Verdi");
    // Focus goes back to the screen's heading, as after any unlock.
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole("heading", { level: 1, name: "Incontri" })));
  });

  it("asks on the demo register as soon as it is created, listing every lab", async () => {
    cmd.appStatus = vi.fn(() => ok(status("new")));
    cmd.setLanguage = vi.fn(() => ok(null));
    cmd.createDemoRegister = vi.fn(() => ok(session({ role: null, rights: rightsOf(null) })));
    render(<App />);
    fireEvent.input(await screen.findByTestId("passphrase"), { target: { value: "quaderno a righe 7" } });
    fireEvent.input(screen.getByTestId("passphrase-confirm"), { target: { value: "quaderno a righe 7" } });
    fireEvent.click(screen.getByTestId("start-demo"));
    expect(await screen.findByRole("dialog", { name: "Chi sta usando il registro?" })).toBeTruthy();
    await screen.findByTestId("operator-list");
    expect(cmd.listStaff).toHaveBeenCalledWith(null);
  });

  it("lets the user not say, and then names nobody", async () => {
    const info = session({ role: "volunteer", rights: rightsOf("volunteer") }, ANNA);
    await unlockInto(info);
    cmd.setOperator = vi.fn(() => ok(info));
    cmd.sessionInfo = vi.fn(() => ok(info));
    await waitFor(() => expect(radio("Anna Bianchi").checked).toBe(true));
    fireEvent.click(screen.getByRole("button", { name: "Preferisco non indicarlo" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(cmd.setOperator).toHaveBeenCalledWith(null);
    expect(operatorButton().textContent).toBe("Indica chi sei");
  });

  it("asks for a choice before continuing, and Esc closes without changing anything", async () => {
    await unlockInto(session({ role: "volunteer", rights: rightsOf("volunteer") }));
    cmd.setOperator = vi.fn(() => ok(session()));
    await screen.findByTestId("operator-list");
    expect(radio("Anna Bianchi").checked || radio("Bruno Verdi").checked).toBe(false);
    await waitFor(() => expect(document.activeElement).toBe(radio("Anna Bianchi")));
    expect(screen.getByTestId("operator-confirm").textContent).toBe("Continua");
    fireEvent.click(screen.getByTestId("operator-confirm"));
    await flush();
    expect(screen.getByTestId("operator-error").textContent).toBe(
      "Scegli il tuo nome dall'elenco, oppure «Preferisco non indicarlo».",
    );
    expect(cmd.setOperator).not.toHaveBeenCalled();
    fireEvent.click(radio("Anna Bianchi"));
    expect(screen.getByTestId("operator-error").textContent).toBe("");
    expect(screen.getByTestId("operator-confirm").textContent).toBe("Continua come Anna Bianchi");

    fireEvent.keyDown(screen.getByRole("dialog"), { key: "Escape" });
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(cmd.setOperator).not.toHaveBeenCalled();
    expect(operatorButton().textContent).toBe("Indica chi sei");
  });

  it("says why when the register refuses the person, and stays open", async () => {
    await unlockInto(session({ role: "volunteer", rights: rightsOf("volunteer") }, ANNA));
    cmd.setOperator = vi.fn(() => fail({ kind: "not_found", what: "person" }));
    await waitFor(() => expect(radio("Anna Bianchi").checked).toBe(true));
    fireEvent.click(screen.getByTestId("operator-confirm"));
    await flush();
    expect(screen.getByTestId("operator-error").textContent).toBe(
      "Questa persona non è più in elenco: forse è stata eliminata.",
    );
    expect(screen.getByTestId("operator-error").getAttribute("role")).toBe("alert");
    expect(screen.getByRole("dialog")).toBeTruthy();
  });

  it("lists every lab's staff for a coordinator, with their labs", async () => {
    await unlockInto(session({ role: "coordinator", rights: rightsOf("coordinator") }));
    await screen.findByTestId("operator-list");
    expect(cmd.listStaff).toHaveBeenCalledWith(null);
    expect(screen.getByRole("group", { name: "Operatori e volontari di tutti i laboratori" })).toBeTruthy();
    expect(radio("Bruno Verdi").closest("label")?.textContent).toContain("Pavia Centro, Pavia Ovest");
  });

  it("says so when there is nobody to choose, and still lets the user go on", async () => {
    cmd.listStaff = vi.fn(() => ok([]));
    await unlockInto(session({ role: null, rights: rightsOf(null) }));
    expect(await screen.findByTestId("operator-empty")).toBeTruthy();
    expect(cmd.listStaff).toHaveBeenCalledWith(null);
    expect(screen.getByRole("button", { name: "Preferisco non indicarlo" })).toBeTruthy();
  });

  it("is changed from the header, starting from the person named now", async () => {
    const info = session({ role: "volunteer", rights: rightsOf("volunteer"), operator: ANNA }, ANNA);
    cmd.appStatus = vi.fn(() => ok(status("unlocked")));
    cmd.sessionInfo = vi.fn(() => ok(info));
    render(<App />);
    await screen.findByRole("navigation");
    await flush();
    // Already open (a reload): nobody is asked.
    expect(screen.queryByRole("dialog")).toBeNull();
    const button = operatorButton();
    expect(button.textContent).toBe("Chi usa il registro: Anna Bianchi");
    expect(button.getAttribute("aria-haspopup")).toBe("dialog");

    button.focus();
    fireEvent.click(button);
    await screen.findByRole("dialog", { name: "Chi sta usando il registro?" });
    await waitFor(() => expect(radio("Anna Bianchi").checked).toBe(true));
    expect(radio("Anna Bianchi").closest("label")?.textContent).not.toContain("scelta l'ultima volta");
    fireEvent.click(radio("Bruno Verdi"));
    const named = { ...info, operator: BRUNO, settings: { ...info.settings, last_operator: BRUNO.id } };
    cmd.setOperator = vi.fn(() => ok(named));
    cmd.sessionInfo = vi.fn(() => ok(named));
    fireEvent.click(screen.getByRole("button", { name: "Continua come Bruno Verdi" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(cmd.setOperator).toHaveBeenCalledWith(BRUNO.id);
    expect(operatorButton().textContent).toBe("Chi usa il registro: Bruno Verdi");
    // Focus returns to the header's button (once the dialog's clean-up has run).
    await waitFor(() => expect(document.activeElement).toBe(operatorButton()));
  });

  it("asks again after the register is locked and unlocked", async () => {
    const info = session({ role: "volunteer", rights: rightsOf("volunteer") }, ANNA);
    await unlockInto(info);
    const named = { ...info, operator: ANNA };
    cmd.setOperator = vi.fn(() => ok(named));
    cmd.sessionInfo = vi.fn(() => ok(named));
    await waitFor(() => expect(radio("Anna Bianchi").checked).toBe(true));
    fireEvent.click(screen.getByTestId("operator-confirm"));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());

    cmd.lockRegister = vi.fn(() => ok(null));
    fireEvent.click(screen.getByTestId("lock"));
    fireEvent.input(await screen.findByTestId("unlock-passphrase"), { target: { value: "quaderno a righe 7" } });
    // The Rust side forgot the person at the lock; the last choice is still offered.
    cmd.unlock = vi.fn(() => ok(info));
    fireEvent.click(screen.getByTestId("unlock-submit"));
    await screen.findByRole("dialog", { name: "Chi sta usando il registro?" });
    await waitFor(() => expect(radio("Anna Bianchi").checked).toBe(true));
    expect(operatorButton().textContent).toBe("Indica chi sei");
  });
});

describe("operatorScope and preselected", () => {
  it("lists the lab shown, or every lab for coordinators and the demo register", () => {
    expect(operatorScope(session({ role: "volunteer", rights: rightsOf("volunteer"), lab: LAB_2 }))).toBe(LAB_2);
    expect(operatorScope(session({ role: "lead", rights: rightsOf("lead") }))).toBe(LAB_1);
    expect(operatorScope(session({ role: "coordinator", rights: rightsOf("coordinator") }))).toBeNull();
    expect(operatorScope(session({ role: null, rights: rightsOf(null) }))).toBeNull();
  });

  it("prefers the person named now, then last time's, if listed", () => {
    expect(preselected(session({ operator: BRUNO }, ANNA), STAFF)).toBe(BRUNO.id);
    expect(preselected(session({}, ANNA), STAFF)).toBe(ANNA.id);
    expect(preselected(session({}, ANNA), [BRUNO])).toBeNull();
    expect(preselected(session(), STAFF)).toBeNull();
  });
});
