import { fireEvent, render, screen } from "@testing-library/preact";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { resetCommands } from "../app/mockBindings";
import type { SessionInfo } from "../bindings";
import { ToastProvider } from "../components/Toast";
import { fail, flush, ok, sessionFixture } from "../components/testing";
import { I18nProvider } from "../i18n";
import { FirstRun } from "./FirstRun";

const mocks = vi.hoisted(() => ({ commands: {} as import("../app/mockBindings").MockCommands }));
vi.mock("../bindings", async () => (await import("../app/mockBindings")).bindingsModule(mocks));
const cmd = mocks.commands;

function renderFirstRun(onCreated: (info: SessionInfo) => void = () => {}) {
  render(
    <I18nProvider>
      <ToastProvider>
        <FirstRun onCreated={onCreated} />
      </ToastProvider>
    </I18nProvider>,
  );
  return {
    passphrase: screen.getByTestId("passphrase") as HTMLInputElement,
    confirm: screen.getByTestId("passphrase-confirm") as HTMLInputElement,
  };
}

function type(input: HTMLInputElement, value: string) {
  fireEvent.input(input, { target: { value } });
}

beforeEach(() => {
  resetCommands(cmd);
  cmd.setLanguage = vi.fn(() => ok(null));
  cmd.createDemoRegister = vi.fn(() => ok(sessionFixture()));
  cmd.pairWithHub = vi.fn(() => ok(sessionFixture()));
});

describe("the first run", () => {
  it("offers the language first, Italian by default, and keeps the choice", async () => {
    renderFirstRun();
    const it = screen.getByTestId("lang-it");
    const en = screen.getByTestId("lang-en");
    expect(it.getAttribute("aria-pressed")).toBe("true");
    expect(en.getAttribute("aria-pressed")).toBe("false");
    // The language comes before the passphrase in the page (and in Tab order).
    expect(it.compareDocumentPosition(screen.getByTestId("passphrase")) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    fireEvent.click(en);
    await flush();
    expect(cmd.setLanguage).toHaveBeenCalledWith("en");
    expect(screen.getByRole("heading", { level: 1, name: "Welcome to Taccuino" })).toBeTruthy();
    expect(screen.getByTestId("lang-en").getAttribute("aria-pressed")).toBe("true");
    expect(screen.getByRole("button", { name: "Connect to the hub" })).toBeTruthy();
  });

  it("explains what the passphrase protects", () => {
    renderFirstRun();
    expect(screen.getByTestId("first-run").textContent).toContain(
      "La passphrase protegge i dati delle famiglie: se la perdi, il registro si riapre solo con la chiave di recupero del coordinamento.",
    );
  });

  it("refuses a passphrase shorter than 8 characters", () => {
    const { passphrase, confirm } = renderFirstRun();
    type(passphrase, "corta7!");
    type(confirm, "corta7!");
    fireEvent.click(screen.getByTestId("start-demo"));
    expect(cmd.createDemoRegister).not.toHaveBeenCalled();
    expect(passphrase.getAttribute("aria-invalid")).toBe("true");
    expect(passphrase.closest(".field")?.textContent).toContain("Servono almeno 8 caratteri.");
    expect(document.activeElement).toBe(passphrase);
    // Eight characters (counted as people count them, è is one) are enough.
    type(passphrase, "perché!!");
    expect(passphrase.getAttribute("aria-invalid")).toBeNull();
  });

  it("shows a mismatch next to the confirmation", () => {
    const { passphrase, confirm } = renderFirstRun();
    type(passphrase, "quaderno a righe 7");
    type(confirm, "quaderno a righe 8");
    expect(confirm.getAttribute("aria-invalid")).toBeNull(); // not while typing
    fireEvent.blur(confirm);
    expect(confirm.getAttribute("aria-invalid")).toBe("true");
    expect(confirm.closest(".field")?.textContent).toContain("Le due passphrase non sono uguali.");
    fireEvent.click(screen.getByTestId("start-demo"));
    expect(cmd.createDemoRegister).not.toHaveBeenCalled();
    expect(document.activeElement).toBe(confirm);
    type(confirm, "quaderno a righe 7");
    expect(confirm.getAttribute("aria-invalid")).toBeNull();
  });

  it("creates the register with the demo data, busy meanwhile", async () => {
    let finish!: () => void;
    const info = sessionFixture();
    cmd.createDemoRegister = vi.fn(
      () => new Promise((resolve) => (finish = () => resolve({ status: "ok", data: info }))),
    );
    const onCreated = vi.fn();
    const { passphrase, confirm } = renderFirstRun(onCreated);
    type(passphrase, "quaderno a righe 7");
    type(confirm, "quaderno a righe 7");
    fireEvent.click(screen.getByTestId("start-demo"));
    expect(cmd.createDemoRegister).toHaveBeenCalledWith("quaderno a righe 7");
    expect(screen.getByTestId("start-demo").getAttribute("aria-busy")).toBe("true");
    expect((screen.getByTestId("start-pair") as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getAllByRole("status").map((s) => s.textContent)).toContain("Sto preparando il registro…");
    // A second click does nothing.
    fireEvent.click(screen.getByTestId("start-demo"));
    expect(cmd.createDemoRegister).toHaveBeenCalledTimes(1);
    finish();
    await flush();
    expect(onCreated).toHaveBeenCalledWith(info);
  });

  it("shows what the Rust side refused next to the passphrase", async () => {
    cmd.createDemoRegister = vi.fn(() => fail({ kind: "weak_passphrase", min_chars: 10 }));
    const { passphrase, confirm } = renderFirstRun();
    type(passphrase, "quaderno7");
    type(confirm, "quaderno7");
    fireEvent.click(screen.getByTestId("start-demo"));
    await flush();
    expect(cmd.createDemoRegister).toHaveBeenCalledWith("quaderno7");
    expect(passphrase.closest(".field")?.textContent).toContain("La passphrase deve avere almeno 10 caratteri.");
    expect(screen.getByTestId("start-demo").getAttribute("aria-busy")).toBeNull();
    expect(document.activeElement).toBe(passphrase);
  });

  it("unlocks instead when a register turns out to exist", async () => {
    cmd.createDemoRegister = vi.fn(() => fail({ kind: "register_exists" }));
    const onExists = vi.fn();
    render(
      <I18nProvider>
        <FirstRun onCreated={() => {}} onExists={onExists} />
      </I18nProvider>,
    );
    type(screen.getByTestId("passphrase") as HTMLInputElement, "quaderno a righe 7");
    type(screen.getByTestId("passphrase-confirm") as HTMLInputElement, "quaderno a righe 7");
    fireEvent.click(screen.getByTestId("start-demo"));
    await flush();
    expect(onExists).toHaveBeenCalledTimes(1);
  });
});

describe("pairing with the hub", () => {
  /** Opens the pairing form after a valid passphrase; returns its fields. */
  async function openPairing(onCreated: (info: SessionInfo) => void = () => {}) {
    const { passphrase, confirm } = renderFirstRun(onCreated);
    type(passphrase, "quaderno a righe 7");
    type(confirm, "quaderno a righe 7");
    const toggle = screen.getByTestId("start-pair");
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    expect(screen.queryByTestId("hub-url")).toBeNull();
    fireEvent.click(toggle);
    await flush(1);
    expect(toggle.getAttribute("aria-expanded")).toBe("true");
    return {
      passphrase,
      url: screen.getByTestId("hub-url") as HTMLInputElement,
      code: screen.getByTestId("pair-code") as HTMLInputElement,
      device: screen.getByTestId("device-name") as HTMLInputElement,
    };
  }

  it("replaces the empty register with pairing, and explains the code", async () => {
    const { url, device } = await openPairing();
    expect(screen.queryByTestId("start-empty")).toBeNull();
    expect(screen.getByTestId("start-pair").textContent).toBe("Collega all'hub");
    expect(document.activeElement).toBe(url);
    expect(url.placeholder).toBe("wss://hub.benecomune.it");
    expect(device.value).toBe("Portatile laboratorio");
    expect(screen.getByTestId("first-run").textContent).toContain(
      "Il codice di abbinamento te lo dà il coordinamento: è breve, si può dettare al telefono e vale una volta sola.",
    );
  });

  it("pairs with trimmed values and the passphrase chosen above", async () => {
    const info = sessionFixture({ labs: [sessionFixture().labs[1]!] });
    const onCreated = vi.fn();
    const { url, code, device } = await openPairing(onCreated);
    type(url, "  wss://hub.benecomune.it/  ");
    type(code, " 4821a-7730b-k3m9q ");
    type(device, "  Portatile di Anna ");
    cmd.pairWithHub = vi.fn(() => ok(info));
    fireEvent.click(screen.getByTestId("pair-submit"));
    expect(cmd.pairWithHub).toHaveBeenCalledWith(
      "wss://hub.benecomune.it/",
      "4821a-7730b-k3m9q",
      "Portatile di Anna",
      "quaderno a righe 7",
    );
    expect(screen.getByTestId("pair-submit").getAttribute("aria-busy")).toBe("true");
    expect((screen.getByTestId("start-demo") as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getAllByRole("status").map((s) => s.textContent)).toContain(
      "Collegamento all'hub e prima sincronizzazione…",
    );
    await flush();
    expect(onCreated).toHaveBeenCalledWith(info);
    expect(cmd.createDemoRegister).not.toHaveBeenCalled();
  });

  it("checks the passphrase and the form before spending the code", async () => {
    const { passphrase, url, code } = await openPairing();
    type(passphrase, "corta");
    fireEvent.click(screen.getByTestId("pair-submit"));
    expect(cmd.pairWithHub).not.toHaveBeenCalled();
    expect(document.activeElement).toBe(passphrase);

    type(passphrase, "quaderno a righe 7");
    type(url, "ws://192.168.1.10:8443");
    fireEvent.click(screen.getByTestId("pair-submit"));
    expect(cmd.pairWithHub).not.toHaveBeenCalled();
    expect(url.getAttribute("aria-invalid")).toBe("true");
    expect(url.closest(".field")?.textContent).toContain("Senza wss:// la connessione non è protetta");
    expect(code.closest(".field")?.textContent).toContain("Scrivi il codice di abbinamento.");
    expect(document.activeElement).toBe(url);

    type(url, "hub benecomune");
    type(code, "4821-7730");
    fireEvent.click(screen.getByTestId("pair-submit"));
    expect(cmd.pairWithHub).not.toHaveBeenCalled();
    expect(url.closest(".field")?.textContent).toContain("per esempio hub.benecomune.it:7878");
    expect(code.closest(".field")?.textContent).toContain("tre gruppi di cinque");

    type(url, "hub.benecomune.it:7878");
    type(code, "4821A 7730B K3M9Q");
    fireEvent.submit(code.form!);
    expect(cmd.pairWithHub).toHaveBeenCalledWith("hub.benecomune.it:7878", "4821A 7730B K3M9Q", "Portatile laboratorio", "quaderno a righe 7");
  });

  it("shows why the hub refused the code, and lets the user try again", async () => {
    cmd.pairWithHub = vi.fn(() => fail({ kind: "pairing", reason: "used" }));
    const onCreated = vi.fn();
    const { url, code } = await openPairing(onCreated);
    type(url, "wss://hub.benecomune.it");
    type(code, "4821A-7730B-K3M9Q");
    fireEvent.click(screen.getByTestId("pair-submit"));
    await flush();
    const error = screen.getByTestId("pair-error");
    expect(error.getAttribute("role")).toBe("alert");
    expect(error.textContent).toBe("Questo codice di abbinamento è già stato usato: chiedine uno nuovo.");
    expect(document.activeElement).toBe(code);
    expect(screen.getByTestId("pair-submit").getAttribute("aria-busy")).toBeNull();
    expect(onCreated).not.toHaveBeenCalled();

    cmd.pairWithHub = vi.fn(() => fail({ kind: "offline" }));
    type(code, "55551-11112-22223");
    fireEvent.click(screen.getByTestId("pair-submit"));
    await flush();
    expect(screen.getByTestId("pair-error").textContent).toBe(
      "L'hub non è raggiungibile: controlla la connessione e riprova più tardi.",
    );

    cmd.pairWithHub = vi.fn(() =>
      fail({ kind: "invalid", field: "hub.url", reason: "must start with ws:// or wss://" }),
    );
    fireEvent.click(screen.getByTestId("pair-submit"));
    await flush();
    expect(screen.getByTestId("pair-error").textContent).toBe("Controlla il campo «Indirizzo dell'hub».");
    expect(document.activeElement).toBe(url);
  });
});
