/// <reference types="vitest/config" />
import { defineConfig } from "vite";

// The installed package in a real window (see e2e/installed.installed.ts):
// run by scripts/test.sh with TACCUINO_APP pointing at the installed binary.
export default defineConfig({
  test: {
    environment: "node",
    include: ["e2e/**/*.installed.ts"],
    testTimeout: 180_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
