// Conflicting edits, end to end in the real window: the demo register
// holds a family's phone and a meeting's theme that two laptops of the lab
// changed at once (taccuino-demo's `clash`); the queue (Alt+C) lists them
// with their values and the count in the navigation, and choosing a value
// settles one: the count goes down and the family's page shows the value.

import type { WebDriver } from "selenium-webdriver";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  By,
  Key,
  byTestId,
  freshDataDir,
  openApp,
  screenshot,
  startDriver,
  stopDriver,
  typeInto,
  waitForText,
} from "./harness";

const PASS = "quaderno a quadretti 4";
let d: WebDriver;
/** The code of the family whose phone is in conflict. */
let code = "";

async function countInNav(): Promise<string> {
  return (await byTestId(d, "nav-conflicts-count", 15_000)).getText();
}

describe("conflicting edits", () => {
  beforeAll(async () => {
    await startDriver();
    d = await openApp(freshDataDir());
  });

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === "fail" && d) {
      const name = ctx.task.name.replace(/[^a-z0-9]+/gi, "-");
      await screenshot(d, `failed-conflicts-${name}`).catch(() => undefined);
    }
  });

  afterAll(async () => {
    await d?.quit().catch(() => undefined);
    stopDriver();
  });

  it("shows the demo's two conflicts, reached with Alt+C", async () => {
    await byTestId(d, "first-run");
    await typeInto(await byTestId(d, "passphrase"), PASS);
    await typeInto(await byTestId(d, "passphrase-confirm"), PASS);
    await (await byTestId(d, "start-demo")).click();
    const list = await byTestId(d, "operator-list", 30_000);
    await (await list.findElement(By.css('input[type="radio"]'))).click();
    await (await byTestId(d, "operator-confirm")).click();
    await d.wait(async () => (await d.findElements(By.css('[role="dialog"]'))).length === 0, 10_000);

    expect(await countInNav()).toBe("2");
    await d.actions().keyDown(Key.ALT).sendKeys("c").keyUp(Key.ALT).perform();
    await byTestId(d, "screen-conflicts");
    await d.wait(async () => (await d.findElements(By.css('[data-testid="conflict"]'))).length === 2, 10_000);
    const items = await d.findElements(By.css('[data-testid="conflict"]'));
    const phone = items[0]!;
    const subject = await (await phone.findElement(By.css('[data-testid="conflict-subject"]'))).getText();
    expect(subject).toMatch(/^Famiglia PV01-\d{4} · /);
    code = subject.split(" ")[1]!;
    expect(await (await phone.findElement(By.css('[data-testid="conflict-field"]'))).getText()).toBe(
      "Campo: Telefono",
    );
    const values = await phone.findElements(By.css('[data-testid="conflict-value-text"]'));
    expect(values).toHaveLength(2);
    const texts = await Promise.all(values.map((v) => v.getText()));
    expect(texts.every((t) => /^«\+39 347 551 02\d»$/.test(t))).toBe(true);
    expect(await phone.getText()).toContain("inserito");
    const theme = items[1]!;
    expect(await (await theme.findElement(By.css('[data-testid="conflict-subject"]'))).getText()).toMatch(
      /^Incontro del \d\d\/\d\d\/\d{4} · /,
    );
    await screenshot(d, "conflicts-01-queue");
  });

  it("settles the family's phone with the value that was not shown", async () => {
    const phone = (await d.findElements(By.css('[data-testid="conflict"]')))[0]!;
    const chosen = (await (await phone.findElements(By.css('[data-testid="conflict-value-text"]')))[1]!.getText())
      .replace(/^«|»$/g, "");
    await (await phone.findElements(By.css('[data-testid="conflict-choose"]')))[1]!.click();
    await d.wait(async () => (await d.findElements(By.css('[data-testid="conflict"]'))).length === 1, 10_000);
    expect(await countInNav()).toBe("1");
    const left = (await d.findElements(By.css('[data-testid="conflict-field"]')))[0]!;
    expect(await left.getText()).toBe("Campo: Tema");
    await screenshot(d, "conflicts-02-one-left");

    // The family's page shows the chosen number and no conflict left.
    await (await byTestId(d, "nav-families")).click();
    await typeInto(await byTestId(d, "family-search"), code);
    await (await waitForText(d, '[data-testid="family-result"]', code)).click();
    const page = await waitForText(d, '[data-testid="family-page"]', chosen);
    expect(await page.getText()).toContain(chosen);
    expect(await d.findElements(By.css('[data-testid="family-conflicts"]'))).toHaveLength(0);
    await screenshot(d, "conflicts-03-family-page");
  });
});
