import { act, fireEvent, screen } from "@testing-library/preact";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { resetCommands } from "../../app/mockBindings";
import type { UpdateStatus } from "../../bindings";
import { fail, flush, ok, renderScreen } from "../../components/testing";
import { setLanguage } from "../../i18n";
import { UpdatePanel } from "./UpdatePanel";

const mocks = vi.hoisted(() => ({
  commands: {} as import("../../app/mockBindings").MockCommands,
  updateListeners: [] as import("../../app/mockBindings").UpdateListener[],
}));
vi.mock("../../bindings", async () => (await import("../../app/mockBindings")).bindingsModule(mocks));
const cmd = mocks.commands;

function status(overrides: Partial<UpdateStatus> = {}): UpdateStatus {
  return {
    current: "0.1.0",
    installed_from: "deb",
    hub: { version: "0.2.0", protocol: 5, skew: null },
    offer: null,
    download: { state: "none" },
    refused: null,
    ...overrides,
  };
}

const offer = { version: "0.2.0", size: 13_600_000, notes_it: "Correzioni al registro", notes_en: "Register fixes" };

async function renderPanel() {
  renderScreen(<UpdatePanel />);
  await flush();
  return screen.getByTestId("update-panel");
}

beforeEach(() => {
  resetCommands(cmd);
  mocks.updateListeners.length = 0;
  act(() => setLanguage("it"));
  cmd.updateStatus = vi.fn(() => ok(status()));
});

describe("Updates on the sync screen", () => {
  it("shows both versions and that nothing is offered", async () => {
    const panel = await renderPanel();
    expect(panel.querySelector("h2")?.textContent).toBe("Aggiornamenti");
    expect(screen.getByTestId("update-current").textContent).toBe("0.1.0");
    expect(screen.getByTestId("update-hub").textContent).toBe("0.2.0");
    expect(screen.getByTestId("update-none").textContent).toBe("Nessun aggiornamento disponibile.");
    expect(screen.queryByTestId("update-download")).toBeNull();
  });

  it("offers, downloads with progress, then installs only after asking", async () => {
    cmd.updateStatus = vi.fn(() => ok(status({ offer })));
    let finish!: () => void;
    cmd.downloadUpdate = vi.fn(
      () => new Promise((resolve) => (finish = () => resolve({ status: "ok", data: status({ offer, download: { state: "ready" } }) }))),
    );
    cmd.installUpdate = vi.fn(() => ok(null));
    await renderPanel();
    const shown = screen.getByTestId("update-offer");
    expect(shown.textContent).toContain("È disponibile la versione 0.2.0 (13 MB).");
    expect(shown.textContent).toContain("Correzioni al registro");
    fireEvent.click(screen.getByTestId("update-download"));
    expect(cmd.downloadUpdate).toHaveBeenCalledTimes(1);
    // The Rust side announces progress.
    act(() => mocks.updateListeners[0]!({ payload: { status: status({ offer, download: { state: "running", received: 6_800_000, total: 13_600_000 } }) } }));
    expect(screen.getByRole("progressbar").getAttribute("aria-valuenow")).toBe("6800000");
    expect(screen.queryByTestId("update-download")).toBeNull();
    finish();
    await flush();
    expect(screen.getByTestId("update-ready").textContent).toContain("pronto da installare");
    expect(cmd.installUpdate).not.toHaveBeenCalled();
    fireEvent.click(screen.getByTestId("update-install"));
    const dialog = screen.getByRole("dialog");
    expect(dialog.textContent).toContain("Installare la versione 0.2.0?");
    expect(dialog.textContent).toContain("la password di un amministratore");
    fireEvent.click(screen.getByTestId("update-later"));
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(cmd.installUpdate).not.toHaveBeenCalled();
    fireEvent.click(screen.getByTestId("update-install"));
    fireEvent.click(screen.getByTestId("update-install-now"));
    await flush();
    expect(cmd.installUpdate).toHaveBeenCalledTimes(1);
  });

  it("says why an offer was refused or a download discarded", async () => {
    cmd.updateStatus = vi.fn(() => ok(status({ refused: "bad_signature" })));
    await renderPanel();
    expect(screen.getByTestId("update-refused").textContent).toContain("è stato modificato dopo la firma");
    act(() =>
      mocks.updateListeners[0]!({
        payload: { status: status({ offer, download: { state: "failed", reason: "digest_mismatch" } }) },
      }),
    );
    expect(screen.getByTestId("update-failed").textContent).toContain("non è quello firmato");
    expect(screen.getByTestId("update-download")).toBeTruthy();
  });

  it("tells which side waits when the versions cannot sync", async () => {
    cmd.updateStatus = vi.fn(() => ok(status({ hub: { version: "0.1.0", protocol: 4, skew: "hub_older" } })));
    await renderPanel();
    expect(screen.getByTestId("update-skew").textContent).toContain("I dati restano qui, al sicuro");
    act(() =>
      mocks.updateListeners[0]!({
        payload: { status: status({ offer, hub: { version: "0.3.0", protocol: 6, skew: "app_older" } }) },
      }),
    );
    expect(screen.getByTestId("update-skew").getAttribute("data-skew")).toBe("app_older");
    expect(screen.getByTestId("update-skew").textContent).toContain("troppo vecchia per l'hub");
    act(() => setLanguage("en"));
    expect(screen.getByTestId("update-skew").textContent).toContain("too old for the hub");
    expect(screen.getByTestId("update-offer").textContent).toContain("Register fixes");
  });

  it("a copy run from the sources is offered nothing, and a failed check is shown", async () => {
    cmd.updateStatus = vi.fn(() => ok(status({ installed_from: null })));
    await renderPanel();
    expect(screen.getByTestId("update-from-sources").textContent).toContain("non è stata installata da un pacchetto");
    expect(screen.queryByTestId("update-check")).toBeNull();
  });

  it("shows a check that could not reach the hub", async () => {
    cmd.checkForUpdate = vi.fn(() => fail({ kind: "offline" }));
    await renderPanel();
    fireEvent.click(screen.getByTestId("update-check"));
    await flush();
    expect(cmd.checkForUpdate).toHaveBeenCalledTimes(1);
    expect(document.body.textContent).toContain("hub");
  });
});
