import { act, fireEvent, screen, within } from "@testing-library/preact";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { resetCommands } from "../app/mockBindings";
import type { HubLinkStatus, SyncSummary } from "../bindings";
import { LAB_2, fail, flush, ok, renderScreen } from "../components/testing";
import { setLanguage, translatorFor } from "../i18n";
import { Sync, sizeText } from "./Sync";

const mocks = vi.hoisted(() => ({
  commands: {} as import("../app/mockBindings").MockCommands,
  syncListeners: [] as import("../app/mockBindings").SyncListener[],
}));
vi.mock("../bindings", async () => (await import("../app/mockBindings")).bindingsModule(mocks));
const cmd = mocks.commands;

function link(overrides: Partial<HubLinkStatus> = {}): HubLinkStatus {
  return {
    url: "wss://hub.benecomune.it",
    role: "operator",
    lab: LAB_2,
    // 17:42 in Pavia (UTC+1 in November).
    last_attempt: "2026-11-25T16:42:00Z",
    last_success: "2026-11-25T16:42:00Z",
    last_outcome: "ok",
    ...overrides,
  };
}

function summary(overrides: Partial<SyncSummary> = {}): SyncSummary {
  return { outcome: "ok", docs_changed: 3, bytes_out: 2048, bytes_in: 5_734, refused: [], ...overrides };
}

async function renderSync() {
  renderScreen(<Sync />);
  await flush();
  return screen.getByTestId("screen-sync");
}

beforeEach(() => {
  resetCommands(cmd);
  mocks.syncListeners.length = 0;
  cmd.syncStatus = vi.fn(() => ok({ link: link() }));
  cmd.syncNow = vi.fn(() => ok(summary()));
});

describe("Sync screen, not paired", () => {
  beforeEach(() => {
    cmd.syncStatus = vi.fn(() => ok({ link: null }));
  });

  it("says so and how pairing happens, with no buttons", async () => {
    const root = await renderSync();
    expect(root.firstElementChild?.tagName).toBe("H1");
    expect(root.querySelectorAll("h1")).toHaveLength(1);
    const status = screen.getByTestId("sync-status");
    expect(status.textContent).toContain("Questo computer non è collegato all'hub");
    expect(status.textContent).toContain("con il codice che dà il coordinamento");
    expect(status.textContent).toContain("Un registro dimostrativo non si può collegare.");
    expect(screen.queryAllByRole("button")).toHaveLength(0);
    expect(screen.queryByTestId("sync-now")).toBeNull();
    expect(screen.queryByTestId("bundle-export")).toBeNull();
    expect(screen.queryByTestId("bundle-import")).toBeNull();
    expect(screen.getByTestId("bundle-unavailable").textContent).toContain("collegato all'hub");
    expect(root.textContent).not.toContain("in arrivo");
  });

  it("speaks English too", async () => {
    await renderSync();
    act(() => setLanguage("en"));
    expect(screen.getByTestId("sync-status").textContent).toContain("This computer is not connected to the hub");
  });
});

describe("Sync screen, paired", () => {
  it("shows the hub, role, lab, last sync and how it went", async () => {
    const root = await renderSync();
    const dl = screen.getByTestId("sync-link");
    expect(dl.textContent).toContain("wss://hub.benecomune.it");
    expect(dl.textContent).toContain("Operatore");
    expect(dl.textContent).toContain("Pavia Ovest");
    expect(screen.getByTestId("sync-last-success").textContent).toBe("25/11/2026 alle 17:42");
    expect(screen.getByTestId("sync-last-outcome").textContent).toBe("riuscito (25/11/2026 alle 17:42)");
    expect(root.querySelectorAll("h1")).toHaveLength(1);
    expect(screen.getByTestId("sync-now").textContent).toBe("Sincronizza ora");
  });

  it("says never, and why the last attempt failed", async () => {
    cmd.syncStatus = vi.fn(() =>
      ok({ link: link({ role: "coordinator", lab: null, last_success: null, last_outcome: "offline" }) }),
    );
    await renderSync();
    expect(screen.getByTestId("sync-last-success").textContent).toBe("mai");
    expect(screen.getByTestId("sync-last-outcome").textContent).toBe("hub non raggiungibile (25/11/2026 alle 17:42)");
    expect(screen.getByTestId("sync-link").textContent).toContain("Tutti i laboratori");
    // A coordinator's computer has no lab key: no bundle buttons, and why.
    expect(screen.queryByTestId("bundle-export")).toBeNull();
    expect(screen.getByTestId("bundle-unavailable").textContent).toContain("coordinamento non ha un laboratorio");
  });

  it("syncs now, busy meanwhile, then sums up what happened", async () => {
    let finish!: () => void;
    cmd.syncNow = vi.fn(
      () => new Promise((resolve) => (finish = () => resolve({ status: "ok", data: summary() }))),
    );
    await renderSync();
    expect(cmd.syncStatus).toHaveBeenCalledTimes(1);
    fireEvent.click(screen.getByTestId("sync-now"));
    expect(screen.getByTestId("sync-now").getAttribute("aria-busy")).toBe("true");
    expect(screen.getByTestId("sync-progress").textContent).toBe("Sincronizzazione in corso…");
    fireEvent.click(screen.getByTestId("sync-now"));
    expect(cmd.syncNow).toHaveBeenCalledTimes(1);
    finish();
    await flush();
    const done = screen.getByTestId("sync-summary");
    expect(done.textContent).toContain("Sincronizzazione completata");
    expect(done.textContent).toContain("3 documenti aggiornati su questo computer.");
    expect(done.textContent).toContain("Inviati 2 KB, ricevuti 5,6 KB.");
    expect(document.activeElement).toBe(done);
    expect(screen.getByTestId("sync-now").getAttribute("aria-busy")).toBeNull();
    expect(screen.getByTestId("sync-progress").textContent).toBe("");
    // The status is read again (last sync).
    expect(cmd.syncStatus).toHaveBeenCalledTimes(2);
  });

  it("explains in words each document the hub refused", async () => {
    cmd.syncNow = vi.fn(() =>
      ok(
        summary({
          outcome: "partial",
          docs_changed: 1,
          refused: [
            { doc: "household:0190b111-0000-7000-8000-000000000001", reason: "not_allowed" },
            { doc: "project:0190b222-0000-7000-8000-000000000002", reason: "read_only" },
            { doc: "lab:0190b333-0000-7000-8000-000000000003", reason: "bad_bytes" },
            { doc: "household:0190b444-0000-7000-8000-000000000004", reason: "not_listed" },
            { doc: "household:0190b666-0000-7000-8000-000000000006", reason: "restricted" },
            { doc: "household:0190b555-0000-7000-8000-000000000005", reason: "something_new" },
          ],
        }),
      ),
    );
    await renderSync();
    fireEvent.click(screen.getByTestId("sync-now"));
    await flush();
    const done = screen.getByTestId("sync-summary");
    expect(done.textContent).toContain("Sincronizzazione completata in parte");
    expect(done.textContent).toContain("1 documento aggiornato su questo computer.");
    expect(done.textContent).toContain("L'hub non ha accettato 6 documenti:");
    expect(within(screen.getByTestId("sync-refused")).getAllByRole("listitem").map((li) => li.textContent)).toEqual([
      "Famiglia 0190b111: questo computer non può vedere questo documento",
      "Progetto: solo il coordinamento può modificarlo",
      "Laboratorio 0190b333: dati danneggiati, non accettati",
      "Famiglia 0190b444: non risulta tra le famiglie o le persone del laboratorio",
      "Famiglia 0190b666: trattamento limitato (art. 18): solo il coordinamento può modificare questa famiglia",
      "Famiglia 0190b555: rifiutato dall'hub",
    ]);
  });

  it("shows errors as messages, in the user's words", async () => {
    cmd.syncNow = vi.fn(() => fail({ kind: "revoked" }));
    await renderSync();
    fireEvent.click(screen.getByTestId("sync-now"));
    await flush();
    expect(screen.getByRole("alert").textContent).toContain(
      "Il coordinamento ha revocato l'accesso di questo computer",
    );
    expect(screen.queryByTestId("sync-summary")).toBeNull();
    expect(screen.getByTestId("sync-now").getAttribute("aria-busy")).toBeNull();
  });

  it("follows a sync the app started by itself", async () => {
    await renderSync();
    expect(mocks.syncListeners).toHaveLength(1);
    act(() => mocks.syncListeners[0]!({ payload: { syncing: true, outcome: null } }));
    expect(screen.getByTestId("sync-now").getAttribute("aria-busy")).toBe("true");
    expect(screen.getByTestId("sync-progress").textContent).toBe("Sincronizzazione in corso…");
    cmd.syncStatus = vi.fn(() => ok({ link: link({ last_outcome: "unauthorized" }) }));
    act(() => mocks.syncListeners[0]!({ payload: { syncing: false, outcome: "unauthorized" } }));
    await flush();
    expect(screen.getByTestId("sync-now").getAttribute("aria-busy")).toBeNull();
    expect(screen.getByTestId("sync-last-outcome").textContent).toContain("l'hub non riconosce questo computer");
  });
});

describe("bundles on a USB stick", () => {
  it("imports a bundle and says what it changed", async () => {
    cmd.importBundle = vi.fn(() => ok({ changed: 4, unchanged: 1, skipped: 2 }));
    await renderSync();
    fireEvent.click(screen.getByTestId("bundle-import"));
    await flush();
    const result = screen.getByTestId("bundle-result");
    expect(result.textContent).toContain("Pacchetto importato");
    expect(result.textContent).toContain("4 documenti aggiornati, 1 già aggiornato, 2 esclusi.");
    expect(result.textContent).toContain("Gli esclusi sono documenti che questo computer non può modificare.");
    expect(document.activeElement).toBe(result);
  });

  it("exports a bundle and says where; a closed dialog says nothing", async () => {
    cmd.exportBundle = vi.fn(() => ok(null));
    await renderSync();
    fireEvent.click(screen.getByTestId("bundle-export"));
    await flush();
    expect(cmd.exportBundle).toHaveBeenCalledTimes(1);
    expect(screen.queryByTestId("bundle-result")).toBeNull();
    expect(screen.getByRole("alert").textContent).toBe("");

    cmd.exportBundle = vi.fn(() => ok("/media/chiavetta/taccuino-2026-11-25.bundle"));
    fireEvent.click(screen.getByTestId("bundle-export"));
    await flush();
    const result = screen.getByTestId("bundle-result");
    expect(result.textContent).toContain("Pacchetto salvato in:");
    expect(result.textContent).toContain("/media/chiavetta/taccuino-2026-11-25.bundle");
  });

  it("says why a bundle was refused", async () => {
    cmd.importBundle = vi.fn(() => fail({ kind: "bad_file", detail: "bundle: bad MAC" }));
    await renderSync();
    fireEvent.click(screen.getByTestId("bundle-import"));
    await flush();
    expect(screen.getByRole("alert").textContent).toContain("Il file scelto è danneggiato");
    expect(screen.queryByTestId("bundle-result")).toBeNull();
  });
});

describe("sizeText", () => {
  it("writes KB with one decimal below 10, then whole KB, then MB", () => {
    const t = translatorFor("it");
    expect(sizeText(t, 0)).toBe("0 KB");
    expect(sizeText(t, 300)).toBe("0,3 KB");
    expect(sizeText(t, 200 * 1024)).toBe("200 KB");
    expect(sizeText(t, 3.25 * 1024 * 1024)).toBe("3,3 MB");
    expect(sizeText(translatorFor("en"), 3.25 * 1024 * 1024)).toBe("3.3 MB");
  });
});
