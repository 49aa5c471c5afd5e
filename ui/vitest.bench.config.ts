/// <reference types="vitest/config" />
import { defineConfig } from "vite";

// The desktop app's benchmark: the real app binary on the large demo
// register (see e2e/app.bench-e2e.ts and docs/benchmarks.md). Run by
// `npm run bench:app` after `cargo build -p taccuino-app --all-targets`
// (the app and its `bench_register` example), under Xvfb where there is
// no display. Prints figures; fails only if a step does.
export default defineConfig({
  test: {
    environment: "node",
    include: ["e2e/**/*.bench-e2e.ts"],
    testTimeout: 900_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
