/// <reference types="vitest/config" />
import { defineConfig } from "vite";

// End to end: the real app binary in a real window (see e2e/harness.ts).
// Run by `npm run e2e` after `cargo build -p taccuino-app`, under Xvfb
// where there is no display (scripts/test.sh does both).
export default defineConfig({
  test: {
    environment: "node",
    include: ["e2e/**/*.e2e.ts"],
    testTimeout: 180_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
