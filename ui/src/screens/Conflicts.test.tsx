import { fireEvent, screen, within } from "@testing-library/preact";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { resetCommands } from "../app/mockBindings";
import type { ConflictEntry, ConflictQueue } from "../bindings";
import { LAB_1, fail, flush, ok, renderScreen } from "../components/testing";
import { Conflicts } from "./Conflicts";

const mocks = vi.hoisted(() => ({
  commands: {} as import("../app/mockBindings").MockCommands,
}));
vi.mock("../bindings", async () => (await import("../app/mockBindings")).bindingsModule(mocks));
const cmd = mocks.commands;

const FAMILY = "0190a000-0000-7000-8000-0000000000f1";
const MEETING = "0190a000-0000-7000-8000-0000000000e1";

/** A family's phone typed differently on two laptops: Giulia's shown, the other laptop's lost. */
const PHONE: ConflictEntry = {
  conflict: {
    doc: { kind: "household", id: FAMILY },
    subject: { kind: "household", id: FAMILY, code: "PV01-0007", name: "Anna Rossi" },
    lab: LAB_1,
    field: "contacts.phone",
    conflict: {
      path: "contacts.phone",
      values: [
        { id: "12@aa", text: "+39 347 551 020", device: null, person: null, at: "2026-11-24T16:42:00Z" },
        { id: "9@bb", text: "+39 347 551 021", device: null, person: null, at: "2026-11-24T16:35:00Z" },
      ],
    },
    resolvable: true,
  },
  authors: [
    { name: "Giulia Ferri", this_device: false },
    { name: null, this_device: true },
  ],
  may_resolve: true,
};

/** A meeting's theme in another lab's document, which this laptop may only read. */
const THEME: ConflictEntry = {
  conflict: {
    doc: { kind: "lab", id: LAB_1 },
    subject: { kind: "meeting", id: MEETING, date: "2026-11-20", theme: "Compiti" },
    lab: LAB_1,
    field: "theme",
    conflict: {
      path: `meetings.${MEETING}.theme`,
      values: [
        { id: "30@aa", text: "Compiti e merenda", device: null, person: null, at: null },
        { id: "31@bb", text: "Compiti (gruppo grandi)", device: null, person: null, at: null },
      ],
    },
    resolvable: true,
  },
  authors: [
    { name: null, this_device: false },
    { name: null, this_device: false },
  ],
  may_resolve: false,
};

function queue(conflicts: ConflictEntry[], total = conflicts.length): ConflictQueue {
  return { total, conflicts };
}

async function open() {
  renderScreen(<Conflicts />);
  await flush();
  return screen.getByTestId("screen-conflicts");
}

beforeEach(() => {
  resetCommands(cmd);
  cmd.listConflicts = vi.fn(() => ok(queue([PHONE, THEME])));
  cmd.resolveConflict = vi.fn(() => ok(null));
  cmd.conflictCount = vi.fn(() => ok(1));
});

describe("Modifiche in conflitto", () => {
  it("lists each conflict with its document, field, values, authors and dates", async () => {
    const root = await open();
    expect(root.querySelector("h1")?.textContent).toBe("Modifiche in conflitto");
    const items = screen.getAllByTestId("conflict");
    expect(items).toHaveLength(2);
    const [phone, theme] = items as [HTMLElement, HTMLElement];
    expect(within(phone).getByTestId("conflict-subject").textContent).toBe("Famiglia PV01-0007 · Anna Rossi");
    expect(phone.textContent).toContain(" · Pavia Centro");
    expect(within(phone).getByTestId("conflict-field").textContent).toBe("Campo: Telefono");
    const values = within(phone).getAllByTestId("conflict-value");
    expect(values[0]?.textContent).toContain("«+39 347 551 020»");
    expect(values[0]?.textContent).toContain("mostrato ora");
    expect(values[0]?.textContent).toContain("inserito da Giulia Ferri il 24/11/2026 alle 17:42");
    expect(values[1]?.textContent).toContain("inserito su questo computer il 24/11/2026 alle 17:35");
    expect(values[1]?.textContent).not.toContain("mostrato ora");
    expect(within(theme).getByTestId("conflict-subject").textContent).toBe("Incontro del 20/11/2026 · Compiti");
    expect(within(theme).getByTestId("conflict-field").textContent).toBe("Campo: Tema");
  });

  it("chooses a value with the one command, then reads the queue again", async () => {
    await open();
    const phone = screen.getAllByTestId("conflict")[0] as HTMLElement;
    const buttons = within(phone).getAllByTestId("conflict-choose");
    expect(buttons).toHaveLength(2);
    cmd.listConflicts = vi.fn(() => ok(queue([THEME])));
    fireEvent.click(buttons[1] as HTMLElement);
    await flush();
    expect(cmd.resolveConflict).toHaveBeenCalledWith({ kind: "household", id: FAMILY }, "contacts.phone", "9@bb");
    expect(screen.getByText("Scelto «+39 347 551 021» per Telefono.")).toBeTruthy();
    expect(screen.getAllByTestId("conflict")).toHaveLength(1);
  });

  it("offers no choice where this computer may not write, and says why", async () => {
    await open();
    const theme = screen.getAllByTestId("conflict")[1] as HTMLElement;
    expect(within(theme).queryByTestId("conflict-choose")).toBeNull();
    expect(within(theme).getByTestId("conflict-read-only").textContent).toContain("non può modificare");
  });

  it("says so when the conflict was settled meanwhile", async () => {
    cmd.resolveConflict = vi.fn(() => fail({ kind: "not_found", what: "conflict" }));
    await open();
    fireEvent.click(screen.getAllByTestId("conflict-choose")[0] as HTMLElement);
    await flush();
    expect(screen.getByText(/già stato risolto/)).toBeTruthy();
  });

  it("says when there is nothing to resolve, and when the list is cut", async () => {
    cmd.listConflicts = vi.fn(() => ok(queue([])));
    await open();
    expect(screen.getByTestId("conflicts-none").textContent).toBe("Nessuna modifica in conflitto.");
  });

  it("says the queue shows only the first ones", async () => {
    cmd.listConflicts = vi.fn(() => ok(queue([PHONE], 250)));
    await open();
    expect(screen.getByTestId("conflicts-more").textContent).toContain("le prime 1 di 250");
  });
});
