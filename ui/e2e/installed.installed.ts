// The installed package (issue 14): the binary the .deb put in /usr/bin,
// opened in a real window, shows the first screen and opens the demo
// register (its encrypted file created, the lab's people listed). Run by `scripts/test.sh` between installing the
// package and removing it, with TACCUINO_APP=/usr/bin/taccuino.

import type { WebDriver } from "selenium-webdriver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APP, byTestId, freshDataDir, openApp, screenshot, startDriver, stopDriver, typeInto } from "./harness";

const PASS = "quaderno a righe 7";
let d: WebDriver;

describe("the installed app", () => {
  beforeAll(async () => {
    expect(APP.startsWith("/usr/"), `TACCUINO_APP should be the installed binary, not ${APP}`).toBe(true);
    await startDriver();
    d = await openApp(freshDataDir());
  });

  afterAll(async () => {
    await d?.quit().catch(() => undefined);
    stopDriver();
  });

  it("opens the first screen and starts on the demo register", async () => {
    await byTestId(d, "first-run");
    await screenshot(d, "installed-01-first-run");
    await typeInto(await byTestId(d, "passphrase"), PASS);
    await typeInto(await byTestId(d, "passphrase-confirm"), PASS);
    await (await byTestId(d, "start-demo")).click();
    await byTestId(d, "operator-list", 30_000);
    await screenshot(d, "installed-02-started");
  });
});
