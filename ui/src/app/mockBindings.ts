/**
 * For tests only: a stand-in for the generated `bindings` module whose
 * commands the test sets one by one. Use it from `vi.mock`:
 *
 *   const mocks = vi.hoisted(() => ({ commands: {} as MockCommands, lockListeners: [] as LockListener[] }));
 *   vi.mock("../bindings", async () => (await import("../app/mockBindings")).bindingsModule(mocks));
 *   mocks.commands.listMeetings = vi.fn(() => ok([]));
 *
 * A command the test did not set answers `internal` (screens show it and go on).
 * Events: pass `lockListeners` / `syncListeners` arrays to fire them from the
 * test (`mocks.syncListeners[0]!({ payload: { syncing: true, outcome: null } })`).
 */

export type MockCommands = Record<string, (...args: never[]) => unknown>;
export type LockListener = (event: { payload: { after_minutes: number } }) => void;
export type SyncListener = (event: { payload: { syncing: boolean; outcome: string | null } }) => void;
export type UpdateListener = (event: { payload: { status: import("../bindings").UpdateStatus } }) => void;

/** `events.x.listen` backed by an array the test can read and fire. */
function listenable<L>(listeners: L[]) {
  return {
    listen: (cb: L) => {
      listeners.push(cb);
      return Promise.resolve(() => {
        const i = listeners.indexOf(cb);
        if (i >= 0) listeners.splice(i, 1);
      });
    },
  };
}

export function bindingsModule(mocks: {
  commands: MockCommands;
  lockListeners?: LockListener[];
  syncListeners?: SyncListener[];
  updateListeners?: UpdateListener[];
}) {
  return {
    commands: new Proxy(mocks.commands, {
      get: (target, name: string) =>
        target[name] ??
        (() => Promise.resolve({ status: "error", error: { kind: "internal", detail: `not mocked: ${name}` } })),
    }),
    events: {
      registerLocked: listenable<LockListener>(mocks.lockListeners ?? []),
      syncStatusChanged: listenable<SyncListener>(mocks.syncListeners ?? []),
      updateStatusChanged: listenable<UpdateListener>(mocks.updateListeners ?? []),
    },
  };
}

/** Forgets every command set by the previous test. */
export function resetCommands(commands: MockCommands): void {
  for (const key of Object.keys(commands)) delete commands[key];
}
