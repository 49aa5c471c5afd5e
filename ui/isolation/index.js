// Taccuino's isolation application (Tauri's "isolation" pattern).
//
// Tauri loads this page in a sandboxed iframe and passes EVERY IPC message
// from the UI through the hook below before encrypting it for the Rust
// side. It is the place to vet messages: a command the UI should never
// send, arguments out of range, a path outside the expected folders. Keep
// it small, dependency-free and readable: it is trusted code, and it is
// deliberately not built by Vite (no npm dependency can reach it).
//
// Today it checks only the shape of each message; an allow-list of command
// names (from the generated bindings) can be added here later.
"use strict";

window.__TAURI_ISOLATION_HOOK__ = function taccuinoIsolationHook(payload) {
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    throw new Error("IPC refused: the message is not an object");
  }
  if (typeof payload.cmd !== "string" || payload.cmd === "") {
    throw new Error("IPC refused: the message names no command");
  }
  return payload;
};
