/// <reference types="vitest/config" />
import { defineConfig } from "vite";

// The Tauri shell serves `dist/` through its custom protocol under a strict
// CSP (see src-tauri/tauri.conf.json): no inline scripts or styles, no
// remote content. Everything below keeps the build inside those rules.
export default defineConfig({
  // Relative URLs: the custom protocol is not a web server root.
  base: "./",
  // JSX: Preact through the automatic runtime, configured once in
  // tsconfig.json ("jsx": "react-jsx", "jsxImportSource": "preact"), which
  // Vite 8's Oxc transform reads; no plugin needed.
  clearScreen: false,
  server: {
    // Fixed port so the Tauri dev configuration can point at it.
    port: 5173,
    strictPort: true,
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // WebKitGTK 2.50 (Linux), WKWebView and WebView2 all run ES2022.
    target: "es2022",
    // The polyfill is an inline <script>: the CSP forbids it, and every
    // target webview supports <link rel="modulepreload">.
    modulePreload: { polyfill: false },
    // Every asset as a file served from 'self' (no data: URLs to reason about).
    assetsInlineLimit: 0,
    sourcemap: false,
    cssCodeSplit: false,
  },
  test: {
    environment: "happy-dom",
    setupFiles: ["./test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    restoreMocks: true,
  },
});
