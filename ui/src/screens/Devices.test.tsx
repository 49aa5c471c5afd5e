import { act, fireEvent, screen, within } from "@testing-library/preact";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { resetCommands } from "../app/mockBindings";
import type { DeviceEntry, DeviceList, DeviceRequest, IssuedCode } from "../bindings";
import { LAB_2, fail, flush, ok, renderScreen, rightsOf, sessionFixture } from "../components/testing";
import { setLanguage } from "../i18n";
import { Devices, sortDevices } from "./Devices";

const mocks = vi.hoisted(() => ({
  commands: {} as import("../app/mockBindings").MockCommands,
}));
vi.mock("../bindings", async () => (await import("../app/mockBindings")).bindingsModule(mocks));
const cmd = mocks.commands;

/** 25 November 2026, 17:42 in Pavia (UTC+1). */
const NOV_25 = Date.UTC(2026, 10, 25, 16, 42);
/** 26 November 2026, 09:05 in Pavia. */
const NOV_26 = Date.UTC(2026, 10, 26, 8, 5);

function device(overrides: Partial<DeviceEntry> & Pick<DeviceEntry, "id" | "name">): DeviceEntry {
  return { role: "volunteer", lab: 1, app_version: "0.9.0", last_sync: NOV_25, revoked_at: null, ...overrides };
}

const REQUEST: DeviceRequest = {
  id: 7,
  lab: 3,
  role: "operator",
  note: "Marco, nuovo operatore del giovedì",
  asked_by: "dev-lead-3",
  asked_at: NOV_25,
};

function list(overrides: Partial<DeviceList> = {}): DeviceList {
  return {
    devices: [
      device({ id: "dev-old", name: "Vecchio portatile", lab: 1, revoked_at: NOV_25, last_sync: null, app_version: null }),
      device({ id: "dev-vol-3", name: "Portatile volontari", lab: 3 }),
      device({ id: "dev-coord", name: "Coordinamento", role: "coordinator", lab: null, app_version: "1.0.0" }),
      device({ id: "dev-op-1", name: "Portatile operatori", role: "operator", lab: 1 }),
    ],
    requests: [REQUEST],
    this_device: "dev-coord",
    ...overrides,
  };
}

const CODE: IssuedCode = { code: "K7QF 9MZD 2XWA", role: "operator", lab: 3, expires_at: NOV_26 };

async function renderDevices(info = sessionFixture()) {
  renderScreen(<Devices />, info);
  await flush();
  return screen.getByTestId("screen-devices");
}

function rows() {
  return screen.getAllByTestId("device-row");
}

beforeEach(() => {
  resetCommands(cmd);
  cmd.listDevices = vi.fn(() => ok(list()));
  cmd.createPairingCode = vi.fn(() => ok(CODE));
  cmd.revokeDevice = vi.fn(() => ok(null));
  cmd.dismissDeviceRequest = vi.fn(() => ok(null));
  cmd.askForDevice = vi.fn(() => ok(12));
});

describe("Devices, coordinators", () => {
  it("lists the devices, active first then by lab, in words", async () => {
    const root = await renderDevices();
    expect(root.firstElementChild?.tagName).toBe("H1");
    expect(root.querySelectorAll("h1")).toHaveLength(1);
    expect(root.querySelector("h1")?.textContent).toBe("Dispositivi");
    const table = screen.getByTestId("devices-table");
    expect(within(table).getAllByRole("columnheader").map((th) => th.textContent)).toEqual([
      "Nome",
      "Ruolo",
      "Laboratorio",
      "Versione",
      "Ultima sincronizzazione",
      "Stato",
      "Azioni",
    ]);
    expect(rows().map((r) => r.dataset.device)).toEqual(["dev-coord", "dev-op-1", "dev-vol-3", "dev-old"]);
    const [coord, op, vol, old] = rows();
    expect(coord!.textContent).toContain("Coordinamento");
    expect(coord!.textContent).toContain("Tutti");
    expect(op!.textContent).toContain("Operatore");
    expect(op!.textContent).toContain("1 · Pavia Centro");
    expect(vol!.textContent).toContain("3 · Pavia Ovest");
    expect(vol!.textContent).toContain("0.9.0");
    expect(within(vol!).getByTestId("device-last-sync").textContent).toBe("25/11/2026 alle 17:42");
    expect(within(vol!).getByTestId("device-status").textContent).toBe("Attivo");
    expect(within(old!).getByTestId("device-last-sync").textContent).toBe("mai");
    expect(within(old!).getByTestId("device-status").textContent).toBe("Revocato il 25/11/2026 alle 17:42");
  });

  it("offers Revoca for every active device but this one", async () => {
    await renderDevices();
    const [coord, op, vol, old] = rows();
    expect(within(coord!).queryByTestId("device-revoke")).toBeNull();
    expect(within(coord!).getByTestId("device-this").textContent).toBe("questo computer");
    expect(within(old!).queryByTestId("device-revoke")).toBeNull();
    expect(within(op!).getByRole("button", { name: "Revoca Portatile operatori" })).toBeTruthy();
    expect(within(vol!).getByRole("button", { name: "Revoca Portatile volontari" })).toBeTruthy();
    expect(screen.getAllByTestId("device-revoke")).toHaveLength(2);
  });

  it("asks before revoking, says what happens, then revokes and reloads", async () => {
    await renderDevices();
    expect(cmd.listDevices).toHaveBeenCalledTimes(1);
    fireEvent.click(within(rows()[2]!).getByTestId("device-revoke"));
    const dialog = screen.getByRole("dialog", { name: "Revocare «Portatile volontari»?" });
    expect(dialog.textContent).toContain("La sua prossima sincronizzazione sarà rifiutata");
    expect(dialog.textContent).toContain("nuova chiave per i pacchetti");
    expect(dialog.textContent).toContain("I dati già presenti su quel computer restano lì, cifrati");
    // A destructive confirmation: "Annulla" has focus.
    expect(document.activeElement).toBe(within(dialog).getByTestId("revoke-cancel"));
    expect(cmd.revokeDevice).not.toHaveBeenCalled();

    // Annulla: nothing happens.
    fireEvent.click(within(dialog).getByTestId("revoke-cancel"));
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(cmd.revokeDevice).not.toHaveBeenCalled();

    fireEvent.click(within(rows()[2]!).getByTestId("device-revoke"));
    fireEvent.click(screen.getByTestId("revoke-confirm"));
    await flush();
    expect(cmd.revokeDevice).toHaveBeenCalledWith("dev-vol-3");
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(cmd.listDevices).toHaveBeenCalledTimes(2);
    expect(document.body.textContent).toContain("«Portatile volontari» è stato revocato.");
  });

  it("says nothing of a bundle key when revoking a coordinator's laptop", async () => {
    cmd.listDevices = vi.fn(() =>
      ok(list({ devices: [device({ id: "dev-c2", name: "Coordinamento 2", role: "coordinator", lab: null })] })),
    );
    await renderDevices();
    fireEvent.click(screen.getByTestId("device-revoke"));
    const dialog = screen.getByRole("dialog", { name: "Revocare «Coordinamento 2»?" });
    expect(dialog.textContent).toContain("La sua prossima sincronizzazione sarà rifiutata");
    expect(dialog.textContent).not.toContain("nuova chiave");
  });

  it("creates a pairing code and shows it large, with its expiry, once", async () => {
    await renderDevices();
    const form = screen.getByTestId("new-code");
    // A coordinator's computer has no lab: the lab field goes.
    fireEvent.change(within(form).getByTestId("code-role"), { target: { value: "coordinator" } });
    expect(within(form).queryByTestId("code-lab")).toBeNull();
    expect(within(form).getByTestId("code-no-lab").textContent).toContain("vede tutti i laboratori");
    fireEvent.change(within(form).getByTestId("code-role"), { target: { value: "operator" } });
    const lab = within(form).getByLabelText("Laboratorio") as HTMLSelectElement;
    expect([...lab.options].map((o) => o.textContent)).toEqual(["1 · Pavia Centro", "3 · Pavia Ovest"]);
    // This laptop's lab first.
    expect(lab.value).toBe("1");
    fireEvent.change(lab, { target: { value: "3" } });
    fireEvent.click(within(form).getByTestId("code-submit"));
    await flush();
    expect(cmd.createPairingCode).toHaveBeenCalledWith("operator", 3, null);
    const issued = screen.getByTestId("issued-code");
    expect(document.activeElement).toBe(issued);
    expect(issued.textContent).toContain("Codice di abbinamento per: Operatore, laboratorio 3");
    const value = screen.getByTestId("issued-code-value");
    expect(value.textContent).toBe("K7QF 9MZD 2XWA");
    expect(value.classList.contains("pairing-code")).toBe(true);
    expect(screen.getByTestId("issued-code-expiry").textContent).toBe("Scade il 26/11/2026 alle 09:05.");
    expect(issued.textContent).toContain("Funziona una sola volta");
  });

  it("asks for a coordinator's code without a lab", async () => {
    cmd.createPairingCode = vi.fn(() => ok({ ...CODE, role: "coordinator", lab: null }));
    await renderDevices();
    fireEvent.change(screen.getByTestId("code-role"), { target: { value: "coordinator" } });
    fireEvent.click(screen.getByTestId("code-submit"));
    await flush();
    expect(cmd.createPairingCode).toHaveBeenCalledWith("coordinator", null, null);
    expect(screen.getByTestId("issued-code").textContent).toContain("Coordinamento, tutti i laboratori");
  });

  it("answers a lead's request with a code for its role and lab", async () => {
    await renderDevices();
    const row = screen.getByTestId("request-row");
    expect(row.textContent).toContain("Marco, nuovo operatore del giovedì");
    expect(row.textContent).toContain("3 · Pavia Ovest");
    expect(row.textContent).toContain("Operatore");
    expect(row.textContent).toContain("25/11/2026 alle 17:42");
    fireEvent.click(within(row).getByRole("button", { name: "Crea codice per la richiesta n. 7" }));
    expect(screen.getByTestId("code-answering").textContent).toContain("richiesta n. 7");
    expect((screen.getByTestId("code-role") as HTMLSelectElement).value).toBe("operator");
    expect((screen.getByTestId("code-lab") as HTMLSelectElement).value).toBe("3");
    expect(document.activeElement).toBe(screen.getByTestId("code-role"));
    cmd.listDevices = vi.fn(() => ok(list({ requests: [] })));
    fireEvent.click(screen.getByTestId("code-submit"));
    await flush();
    expect(cmd.createPairingCode).toHaveBeenCalledWith("operator", 3, 7);
    expect(screen.getByTestId("issued-code-value").textContent).toBe("K7QF 9MZD 2XWA");
    // The request is answered: the list is read again and the form forgets it.
    expect(cmd.listDevices).toHaveBeenCalledTimes(1);
    expect(screen.getByTestId("requests-none")).toBeTruthy();
    expect(screen.queryByTestId("code-answering")).toBeNull();
  });

  it("closes a request without a code", async () => {
    await renderDevices();
    cmd.listDevices = vi.fn(() => ok(list({ requests: [] })));
    fireEvent.click(screen.getByRole("button", { name: "Chiudi la richiesta n. 7" }));
    await flush();
    expect(cmd.dismissDeviceRequest).toHaveBeenCalledWith(7);
    expect(screen.getByTestId("requests-none").textContent).toBe("Nessuna richiesta aperta.");
  });

  it("shows the hub's refusal in the user's words", async () => {
    cmd.createPairingCode = vi.fn(() => fail({ kind: "device_management", reason: "unknown_lab" }));
    await renderDevices();
    fireEvent.click(screen.getByTestId("code-submit"));
    await flush();
    expect(screen.getByRole("alert").textContent).toContain(
      "Questo laboratorio non è nel registro dell'hub: sincronizza e riprova.",
    );
    expect(screen.queryByTestId("issued-code")).toBeNull();
    expect(screen.getByTestId("code-submit").getAttribute("aria-busy")).toBeNull();
  });

  it("says when the list cannot be read, and reads it again", async () => {
    cmd.listDevices = vi.fn(() => fail({ kind: "offline" }));
    await renderDevices();
    expect(screen.getByTestId("devices-failed").textContent).toContain("Non riesco a leggere l'elenco dei dispositivi");
    expect(screen.getByRole("alert").textContent).toContain("L'hub non è raggiungibile");
    cmd.listDevices = vi.fn(() => ok(list()));
    fireEvent.click(screen.getByTestId("devices-refresh"));
    await flush();
    expect(rows()).toHaveLength(4);
  });

  it("speaks English too", async () => {
    await renderDevices();
    act(() => setLanguage("en"));
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Devices");
    expect(within(rows()[2]!).getByTestId("device-last-sync").textContent).toBe("25/11/2026 at 17:42");
    expect(screen.getByTestId("code-submit").textContent).toBe("Create the code");
  });
});

describe("Devices, lab leads", () => {
  const lead = () => sessionFixture({ role: "lead", rights: rightsOf("lead"), lab: LAB_2 });

  it("shows only the request form", async () => {
    await renderDevices(lead());
    expect(cmd.listDevices).not.toHaveBeenCalled();
    expect(screen.queryByTestId("devices-table")).toBeNull();
    expect(screen.queryByTestId("new-code")).toBeNull();
    expect(screen.getByTestId("ask-device")).toBeTruthy();
    const role = screen.getByLabelText("Ruolo") as HTMLSelectElement;
    expect([...role.options].map((o) => o.value)).toEqual(["volunteer", "operator"]);
  });

  it("asks for a laptop with its role and note, and gives the request's number", async () => {
    await renderDevices(lead());
    fireEvent.click(screen.getByTestId("ask-submit"));
    await flush();
    // No note: the field says so and nothing is sent.
    expect(cmd.askForDevice).not.toHaveBeenCalled();
    expect(screen.getByText("Scrivi per chi è il computer.")).toBeTruthy();
    fireEvent.change(screen.getByLabelText("Ruolo"), { target: { value: "operator" } });
    fireEvent.input(screen.getByLabelText(/Per chi è/), { target: { value: "  Marco, nuovo operatore  " } });
    fireEvent.click(screen.getByTestId("ask-submit"));
    await flush();
    expect(cmd.askForDevice).toHaveBeenCalledWith("operator", "Marco, nuovo operatore");
    const sent = screen.getByTestId("ask-sent");
    expect(sent.textContent).toContain("Richiesta n. 12 inviata al coordinamento.");
    expect(document.activeElement).toBe(sent);
  });

  it("shows the hub's refusal in the user's words", async () => {
    cmd.askForDevice = vi.fn(() => fail({ kind: "device_management", reason: "not_allowed" }));
    await renderDevices(lead());
    fireEvent.input(screen.getByLabelText(/Per chi è/), { target: { value: "Giulia" } });
    fireEvent.click(screen.getByTestId("ask-submit"));
    await flush();
    expect(screen.getByRole("alert").textContent).toContain("L'hub non consente questa operazione");
    expect(screen.queryByTestId("ask-sent")).toBeNull();
  });
});

describe("sortDevices", () => {
  it("puts active devices first, then by lab (coordinators' first), then by name", () => {
    const sorted = sortDevices([
      device({ id: "a", name: "Zeta", lab: 2 }),
      device({ id: "b", name: "alfa", lab: 2 }),
      device({ id: "c", name: "Revocato", lab: null, revoked_at: NOV_25 }),
      device({ id: "d", name: "Coord", lab: null }),
      device({ id: "e", name: "Uno", lab: 1 }),
    ]);
    expect(sorted.map((d) => d.id)).toEqual(["d", "e", "b", "a", "c"]);
  });
});
