// Drives the real Taccuino binary in a real window through WebDriver:
// tauri-driver (from crates.io) in front of WebKitWebDriver (Debian's
// webkit2gtk-driver), under Xvfb in CI. Nothing here is mocked: the app
// opens its own encrypted register in a temporary directory.

import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Builder, By, Key, type WebDriver, type WebElement, until } from "selenium-webdriver";

const root = resolve(import.meta.dirname, "../..");
export const APP = process.env.TACCUINO_APP ?? join(root, "target/debug/taccuino");
const DRIVER = process.env.TAURI_DRIVER ?? join(root, "target/tools/bin/tauri-driver");
export const SCREENSHOTS = join(root, "target/e2e-screenshots");
/** tauri-driver's port (WebKitWebDriver takes the next one); `TACCUINO_E2E_PORT` lets two runs share a machine. */
const PORT = Number(process.env.TACCUINO_E2E_PORT ?? 4444);

let driverProcess: ChildProcess | undefined;

export function portOpen(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const s = createConnection({ port, host: "127.0.0.1" });
    s.once("connect", () => {
      s.destroy();
      ok(true);
    });
    s.once("error", () => ok(false));
  });
}

/** Starts tauri-driver on `port` (WebKitWebDriver on the next one) and waits until it listens. */
export async function startDriver(port = PORT): Promise<void> {
  if (await portOpen(port)) throw new Error(`port ${port} is taken`);
  driverProcess = spawn(
    DRIVER,
    ["--port", String(port), "--native-port", String(port + 1), "--native-driver", "/usr/bin/WebKitWebDriver"],
    { stdio: ["ignore", "inherit", "inherit"] },
  );
  for (let i = 0; i < 100; i++) {
    if (await portOpen(port)) return;
    await sleep(100);
  }
  throw new Error(`tauri-driver did not listen on ${port} (is it installed at ${DRIVER}?)`);
}

/** The running tauri-driver's process id (the benchmark walks its process tree). */
export function driverPid(): number | undefined {
  return driverProcess?.pid;
}

export function stopDriver(): void {
  driverProcess?.kill();
  driverProcess = undefined;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A fresh directory for one register. */
export function freshDataDir(): string {
  return mkdtempSync(join(tmpdir(), "taccuino-e2e-"));
}

/** Starts the app on the register in `dataDir` and returns its driver. */
export async function openApp(dataDir: string): Promise<WebDriver> {
  const caps = {
    browserName: "wry",
    "tauri:options": { application: APP, args: ["--data-dir", dataDir] },
  };
  const driver = await new Builder().usingServer(`http://127.0.0.1:${PORT}/`).withCapabilities(caps).build();
  await driver.manage().setTimeouts({ implicit: 0 });
  await driver.manage().window().setRect({ width: 1366, height: 768 });
  return driver;
}

/** Waits for an element by `data-testid`. */
export async function byTestId(d: WebDriver, id: string, timeout = 10_000): Promise<WebElement> {
  const el = await d.wait(until.elementLocated(By.css(`[data-testid="${id}"]`)), timeout, `no [data-testid=${id}]`);
  await d.wait(until.elementIsVisible(el), timeout, `[data-testid=${id}] not visible`);
  return el;
}

/**
 * Clicks a button once it is not busy. The app's buttons ignore clicks while
 * their work (a command and the reload after it) runs, and show it with
 * `aria-busy`; a person waits for the spinner, so the test does too.
 */
export async function press(d: WebDriver, el: WebElement, timeout = 10_000): Promise<void> {
  await d.wait(async () => (await el.getAttribute("aria-busy")) !== "true", timeout, "the button stayed busy");
  await el.click();
}

/** Waits until some element's text contains `text`. */
export async function waitForText(d: WebDriver, css: string, text: string, timeout = 10_000): Promise<WebElement> {
  return d.wait(
    async () => {
      for (const el of await d.findElements(By.css(css))) {
        try {
          if ((await el.getText()).includes(text)) return el;
        } catch {
          // Re-rendered while reading: try again.
        }
      }
      return null;
    },
    timeout,
    `no ${css} containing ${JSON.stringify(text)}`,
  ) as Promise<WebElement>;
}

/** Saves a screenshot as a test artifact (target/e2e-screenshots). */
export async function screenshot(d: WebDriver, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  writeFileSync(join(SCREENSHOTS, `${name}.png`), await d.takeScreenshot(), "base64");
}

/**
 * Types into an input, replacing what is there, and checks that the field
 * holds the text. A dialog moves focus to its first field once it has
 * painted; on a loaded machine that can happen while the keys are being
 * typed into another field, which then keeps its old value (seen once in
 * CI: a consent renewal saved with the notice version it opened with). So
 * the typing is repeated, up to three times, until the field holds it; if
 * it never does, the caller's own assertion says what is on screen.
 */
export async function typeInto(el: WebElement, text: string): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    await el.click();
    await el.clear();
    await el.sendKeys(text);
    if ((await el.getAttribute("value")) === text) return;
    await sleep(200);
  }
}

/**
 * Picks an option (the `which`-th, or the one with value `which`) of the
 * <select> with `data-testid` `id`, and waits
 * until the select holds it. WebKitGTK opens a native popup for a select:
 * under load an option click can land while the popup is still opening and
 * be lost, so the click is repeated until the value took.
 */
export async function choose(d: WebDriver, id: string, which: number | string): Promise<string> {
  const select = await byTestId(d, id);
  const css = typeof which === "number" ? `option:nth-of-type(${which})` : `option[value="${which}"]`;
  const option = await select.findElement(By.css(css));
  const value = (await option.getAttribute("value")) ?? "";
  await d.wait(
    async () => {
      if ((await select.getAttribute("value")) === value) return true;
      await option.click();
      await sleep(100);
      return (await select.getAttribute("value")) === value;
    },
    10_000,
    `[data-testid=${id}]: ${css} (${JSON.stringify(value)}) was not selected`,
  );
  return value;
}

/**
 * Waits until no dialog is open; when one stays, the failure says what it
 * and the messages showed (a refused save leaves its reason there).
 */
export async function dialogsClosed(d: WebDriver, what: string, timeout = 10_000): Promise<void> {
  try {
    await d.wait(async () => (await d.findElements(By.css('[role="dialog"]'))).length === 0, timeout);
  } catch {
    const shown: string[] = [];
    for (const el of await d.findElements(By.css('[role="dialog"], .toast'))) {
      shown.push((await el.getText().catch(() => "")).replace(/\s+/g, " "));
    }
    throw new Error(`${what}: a dialog stayed open. On screen: ${JSON.stringify(shown)}`);
  }
}

export { By, Key, until };
