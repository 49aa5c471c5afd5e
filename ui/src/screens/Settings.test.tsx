import { fireEvent, render, screen, within } from "@testing-library/preact";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { resetCommands } from "../app/mockBindings";
import { SessionProvider } from "../app/session";
import { ToastProvider } from "../components/Toast";
import { LAB_2, fail, flush, ok, sessionFixture } from "../components/testing";
import { I18nProvider, getLanguage } from "../i18n";
import { Settings } from "./Settings";

const mocks = vi.hoisted(() => ({ commands: {} as import("../app/mockBindings").MockCommands }));
vi.mock("../bindings", async () => (await import("../app/mockBindings")).bindingsModule(mocks));
const cmd = mocks.commands;

function renderSettings(refresh = vi.fn(async () => {})) {
  render(
    <I18nProvider>
      <ToastProvider>
        <SessionProvider value={{ info: sessionFixture(), refresh }}>
          <Settings />
        </SessionProvider>
      </ToastProvider>
    </I18nProvider>,
  );
  return refresh;
}

function type(testId: string, value: string) {
  fireEvent.input(screen.getByTestId(testId), { target: { value } });
}

beforeEach(() => {
  resetCommands(cmd);
  cmd.setLanguage = vi.fn(() => ok(null));
  cmd.changePassphrase = vi.fn(() => ok(null));
  cmd.selectLab = vi.fn(() => ok(sessionFixture({ lab: LAB_2 })));
  cmd.recoveryKeys = vi.fn(() => ok([KEY_1]));
  cmd.addRecoveryKey = vi.fn(() => ok([KEY_1, KEY_2]));
  cmd.nomenclature = vi.fn(() => ok({ areas: [], activity_types: [] }));
});

const KEY_1 = "tcr1-zs4ay10p3avxehebmzftv1xgczpa8qc51zctpxp8c0n6ak8at9hq157e";
const KEY_2 = "tcr1-9q8w7e6r5t4y3u2i1o0pa8qc51zctpxp8c0n6ak8at9hq157ezs4ay1";

describe("settings", () => {
  it("has its heading and test id", () => {
    renderSettings();
    const root = screen.getByTestId("screen-settings");
    expect(within(root).getAllByRole("heading")[0]?.textContent).toBe("Impostazioni");
  });

  it("switches the whole UI's language at once and keeps it", async () => {
    renderSettings();
    expect(screen.getByTestId("language-it").getAttribute("aria-pressed")).toBe("true");
    fireEvent.click(screen.getByTestId("language-en"));
    await flush();
    expect(getLanguage()).toBe("en");
    expect(cmd.setLanguage).toHaveBeenCalledWith("en");
    expect(screen.getByRole("heading", { level: 1, name: "Settings" })).toBeTruthy();
    expect(screen.getByTestId("language-en").getAttribute("aria-pressed")).toBe("true");
  });

  it("chooses this computer's lab", async () => {
    const refresh = renderSettings();
    fireEvent.change(screen.getByTestId("settings-lab"), { target: { value: LAB_2 } });
    await flush();
    expect(cmd.selectLab).toHaveBeenCalledWith(LAB_2);
    expect(refresh).toHaveBeenCalled();
  });

  it("changes the passphrase, checking the new one first", async () => {
    renderSettings();
    type("old-passphrase", "quaderno a righe 7");
    type("new-passphrase", "corta");
    type("new-passphrase-confirm", "corta");
    fireEvent.click(screen.getByTestId("change-passphrase-submit"));
    expect(cmd.changePassphrase).not.toHaveBeenCalled();
    expect(screen.getByTestId("new-passphrase").closest(".field")?.textContent).toContain("Servono almeno 8 caratteri.");

    type("new-passphrase", "matita blu 12");
    type("new-passphrase-confirm", "matita blu 13");
    fireEvent.click(screen.getByTestId("change-passphrase-submit"));
    expect(cmd.changePassphrase).not.toHaveBeenCalled();
    expect(screen.getByTestId("new-passphrase-confirm").getAttribute("aria-invalid")).toBe("true");

    type("new-passphrase-confirm", "matita blu 12");
    fireEvent.click(screen.getByTestId("change-passphrase-submit"));
    await flush();
    expect(cmd.changePassphrase).toHaveBeenCalledWith("quaderno a righe 7", "matita blu 12");
    expect(screen.getAllByRole("status").map((s) => s.textContent).join()).toContain("Passphrase cambiata.");
    expect((screen.getByTestId("old-passphrase") as HTMLInputElement).value).toBe("");
  });

  it("says when the current passphrase is wrong", async () => {
    cmd.changePassphrase = vi.fn(() => fail({ kind: "wrong_passphrase" }));
    renderSettings();
    type("old-passphrase", "non è lei");
    type("new-passphrase", "matita blu 12");
    type("new-passphrase-confirm", "matita blu 12");
    fireEvent.click(screen.getByTestId("change-passphrase-submit"));
    await flush();
    const old = screen.getByTestId("old-passphrase");
    expect(old.closest(".field")?.textContent).toContain("La passphrase attuale non è corretta.");
    expect(document.activeElement).toBe(old);
  });

  it("lists the recovery keys, short, with the whole key for screen readers", async () => {
    renderSettings();
    const list = await screen.findByTestId("recovery-keys");
    const items = within(list).getAllByRole("listitem");
    expect(items).toHaveLength(1);
    const short = items[0]!.querySelector("[title]");
    expect(short?.textContent).toBe("tcr1-zs4ay10…");
    expect(short?.getAttribute("title")).toBe(KEY_1);
    expect(items[0]!.querySelector(".visually-hidden")?.textContent).toBe(KEY_1);
    expect(screen.getByTestId("screen-settings").textContent).toContain(
      "Se la passphrase viene dimenticata, il coordinamento può riaprire il registro",
    );
  });

  it("says when no recovery key can open the register", async () => {
    cmd.recoveryKeys = vi.fn(() => ok([]));
    renderSettings();
    expect((await screen.findByTestId("recovery-keys-none")).textContent).toContain("Nessuna chiave di recupero");
  });

  it("adds a recovery key with the current passphrase", async () => {
    renderSettings();
    await screen.findByTestId("recovery-keys");
    // The secret half is refused before it reaches the Rust side.
    type("recovery-public", "TCS1-ABCD-EFGH");
    type("recovery-passphrase", "quaderno a righe 7");
    fireEvent.click(screen.getByTestId("recovery-add"));
    expect(cmd.addRecoveryKey).not.toHaveBeenCalled();
    const pub = screen.getByTestId("recovery-public");
    expect(pub.closest(".field")?.textContent).toContain("Questa è la metà segreta");
    expect(document.activeElement).toBe(pub);

    type("recovery-public", `  ${KEY_2}\n`);
    type("recovery-passphrase", "");
    fireEvent.click(screen.getByTestId("recovery-add"));
    expect(cmd.addRecoveryKey).not.toHaveBeenCalled();
    expect(document.activeElement).toBe(screen.getByTestId("recovery-passphrase"));

    type("recovery-passphrase", "quaderno a righe 7");
    fireEvent.click(screen.getByTestId("recovery-add"));
    await flush();
    expect(cmd.addRecoveryKey).toHaveBeenCalledWith("quaderno a righe 7", KEY_2);
    expect(within(screen.getByTestId("recovery-keys")).getAllByRole("listitem")).toHaveLength(2);
    expect(screen.getAllByRole("status").map((s) => s.textContent).join()).toContain("Chiave di recupero aggiunta.");
    expect((screen.getByTestId("recovery-public") as HTMLInputElement).value).toBe("");
    expect((screen.getByTestId("recovery-passphrase") as HTMLInputElement).value).toBe("");
  });

  it("says when the passphrase or the key is wrong", async () => {
    cmd.addRecoveryKey = vi.fn(() => fail({ kind: "wrong_passphrase" }));
    renderSettings();
    await screen.findByTestId("recovery-keys");
    type("recovery-public", KEY_2);
    type("recovery-passphrase", "non è lei");
    fireEvent.click(screen.getByTestId("recovery-add"));
    await flush();
    const pass = screen.getByTestId("recovery-passphrase");
    expect(pass.closest(".field")?.textContent).toContain("La passphrase attuale non è corretta.");
    expect(document.activeElement).toBe(pass);

    cmd.addRecoveryKey = vi.fn(() =>
      fail({ kind: "invalid", field: "recovery_public", reason: "the checksum does not match: a typo?" }),
    );
    type("recovery-passphrase", "quaderno a righe 7");
    fireEvent.click(screen.getByTestId("recovery-add"));
    await flush();
    const pub = screen.getByTestId("recovery-public");
    expect(pub.closest(".field")?.textContent).toContain("Questa chiave non è valida");
    expect(within(screen.getByTestId("recovery-keys")).getAllByRole("listitem")).toHaveLength(1);
  });
});
