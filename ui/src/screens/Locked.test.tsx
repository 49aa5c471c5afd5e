import { fireEvent, render, screen } from "@testing-library/preact";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { resetCommands } from "../app/mockBindings";
import type { SessionInfo } from "../bindings";
import { ToastProvider } from "../components/Toast";
import { fail, flush, ok, sessionFixture } from "../components/testing";
import { I18nProvider } from "../i18n";
import { Locked } from "./Locked";

const mocks = vi.hoisted(() => ({ commands: {} as import("../app/mockBindings").MockCommands }));
vi.mock("../bindings", async () => (await import("../app/mockBindings")).bindingsModule(mocks));
const cmd = mocks.commands;

function renderLocked(onUnlocked: (info: SessionInfo) => void = () => {}) {
  render(
    <I18nProvider>
      <ToastProvider>
        <Locked onUnlocked={onUnlocked} />
      </ToastProvider>
    </I18nProvider>,
  );
}

function type(testId: string, value: string) {
  fireEvent.input(screen.getByTestId(testId), { target: { value } });
}

/** Opens with the recovery key; the new-passphrase step should follow. */
async function recover() {
  fireEvent.click(screen.getByTestId("unlock-forgot"));
  type("recovery-key", " TCS1-ABCD-EFGH ");
  fireEvent.click(screen.getByTestId("unlock-submit"));
  await flush();
  expect(cmd.unlockWithRecovery).toHaveBeenCalledWith("TCS1-ABCD-EFGH");
}

beforeEach(() => {
  resetCommands(cmd);
  cmd.unlock = vi.fn(() => ok(sessionFixture()));
  cmd.unlockWithRecovery = vi.fn(() => ok(sessionFixture()));
  cmd.setNewPassphrase = vi.fn(() => ok(null));
});

describe("unlocking with the recovery key", () => {
  it("asks for a new passphrase before opening the register", async () => {
    const info = sessionFixture();
    cmd.unlockWithRecovery = vi.fn(() => ok(info));
    const onUnlocked = vi.fn();
    renderLocked(onUnlocked);
    await recover();
    expect(onUnlocked).not.toHaveBeenCalled();
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Scegli una nuova passphrase");
    const next = screen.getByTestId("recovery-new-passphrase");
    expect(document.activeElement).toBe(next);
    expect(document.title).toBe("Scegli una nuova passphrase · Taccuino");
    // No way around it: no button other than saving.
    expect(screen.getAllByRole("button").map((b) => b.dataset.testid)).toEqual(["recovery-new-passphrase-submit"]);

    // Same checks as the first run.
    type("recovery-new-passphrase", "corta");
    type("recovery-new-passphrase-confirm", "corta");
    fireEvent.click(screen.getByTestId("recovery-new-passphrase-submit"));
    expect(cmd.setNewPassphrase).not.toHaveBeenCalled();
    expect(next.closest(".field")?.textContent).toContain("Servono almeno 8 caratteri.");
    type("recovery-new-passphrase", "matita blu 12");
    type("recovery-new-passphrase-confirm", "matita blu 13");
    fireEvent.click(screen.getByTestId("recovery-new-passphrase-submit"));
    expect(cmd.setNewPassphrase).not.toHaveBeenCalled();
    expect(screen.getByTestId("recovery-new-passphrase-confirm").getAttribute("aria-invalid")).toBe("true");
    expect(document.activeElement).toBe(screen.getByTestId("recovery-new-passphrase-confirm"));

    type("recovery-new-passphrase-confirm", "matita blu 12");
    fireEvent.click(screen.getByTestId("recovery-new-passphrase-submit"));
    await flush();
    expect(cmd.setNewPassphrase).toHaveBeenCalledWith("matita blu 12");
    expect(onUnlocked).toHaveBeenCalledWith(info);
    expect(screen.getAllByRole("status").map((s) => s.textContent).join()).toContain("Nuova passphrase salvata");
  });

  it("shows what the Rust side refused, and stays on the step", async () => {
    cmd.setNewPassphrase = vi.fn(() => fail({ kind: "weak_passphrase", min_chars: 14 }));
    const onUnlocked = vi.fn();
    renderLocked(onUnlocked);
    await recover();
    type("recovery-new-passphrase", "matita blu 12");
    type("recovery-new-passphrase-confirm", "matita blu 12");
    fireEvent.click(screen.getByTestId("recovery-new-passphrase-submit"));
    await flush();
    const next = screen.getByTestId("recovery-new-passphrase");
    expect(next.closest(".field")?.textContent).toContain("La passphrase deve avere almeno 14 caratteri.");
    expect(document.activeElement).toBe(next);
    expect(onUnlocked).not.toHaveBeenCalled();
  });

  it("goes back to the recovery key if the register locked meanwhile", async () => {
    cmd.setNewPassphrase = vi.fn(() => fail({ kind: "locked" }));
    const onUnlocked = vi.fn();
    renderLocked(onUnlocked);
    await recover();
    type("recovery-new-passphrase", "matita blu 12");
    type("recovery-new-passphrase-confirm", "matita blu 12");
    fireEvent.click(screen.getByTestId("recovery-new-passphrase-submit"));
    await flush();
    expect(onUnlocked).not.toHaveBeenCalled();
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Il registro è bloccato");
    expect(screen.getByTestId("recovery-key")).toBeTruthy();
    expect(screen.getByTestId("unlock-error").textContent).toBe(
      "Il registro si è richiuso prima del cambio: aprilo di nuovo con la chiave di recupero.",
    );
  });

  it("opens straight away with the passphrase", async () => {
    const onUnlocked = vi.fn();
    renderLocked(onUnlocked);
    type("unlock-passphrase", "quaderno a righe 7");
    fireEvent.click(screen.getByTestId("unlock-submit"));
    await flush();
    expect(onUnlocked).toHaveBeenCalledTimes(1);
    expect(screen.queryByTestId("recovery-new-passphrase")).toBeNull();
    expect(cmd.setNewPassphrase).not.toHaveBeenCalled();
  });
});
