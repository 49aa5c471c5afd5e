import { cleanup } from "@testing-library/preact";
import { afterEach } from "vitest";
import { setLanguage } from "../src/i18n/store";

// Each test starts from a clean page, in Italian.
afterEach(() => {
  cleanup();
  setLanguage("it");
  document.body.innerHTML = "";
});
