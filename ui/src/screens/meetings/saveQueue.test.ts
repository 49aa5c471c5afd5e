import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SaveQueue, flushAllSaves, type SaveState } from "./saveQueue";

/** A promise the test settles by hand. */
function deferred() {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets settled promises run their callbacks. */
const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** A fake command: records what was sent, each call waits for the test. */
function fakeCommand() {
  const calls: Array<{ value: unknown; settle: ReturnType<typeof deferred> }> = [];
  const send = (value: unknown) => () => {
    const settle = deferred();
    calls.push({ value, settle });
    return settle.promise;
  };
  return { calls, send };
}

describe("SaveQueue", () => {
  it("runs one job at a time, in order", async () => {
    const q = new SaveQueue();
    const { calls, send } = fakeCommand();
    q.enqueue("theme", send("a"));
    q.enqueue("notes", send("b"));
    q.enqueue("guests", send(3));
    expect(calls.map((c) => c.value)).toEqual(["a"]);
    expect(q.snapshot().state).toBe("saving");
    calls[0]!.settle.resolve();
    await tick();
    expect(calls.map((c) => c.value)).toEqual(["a", "b"]);
    calls[1]!.settle.resolve();
    await tick();
    expect(calls.map((c) => c.value)).toEqual(["a", "b", 3]);
    calls[2]!.settle.resolve();
    await tick();
    expect(q.snapshot().state).toBe("saved");
  });

  it("sends only the latest value of a field queued while another save runs", async () => {
    const q = new SaveQueue();
    const { calls, send } = fakeCommand();
    q.enqueue("notes", send("P"));
    q.enqueue("notes", send("Po"));
    q.enqueue("theme", send("M"));
    q.enqueue("notes", send("Por"));
    q.enqueue("notes", send("Port"));
    calls[0]!.settle.resolve();
    await tick();
    // "notes" keeps its place in the line, with its latest text.
    expect(calls.map((c) => c.value)).toEqual(["P", "Port"]);
    calls[1]!.settle.resolve();
    await tick();
    expect(calls.map((c) => c.value)).toEqual(["P", "Port", "M"]);
    calls[2]!.settle.resolve();
    await tick();
    expect(calls).toHaveLength(3);
    expect(q.snapshot().state).toBe("saved");
  });

  it("reports each state change to subscribers", async () => {
    const q = new SaveQueue();
    const { calls, send } = fakeCommand();
    const states: SaveState[] = [];
    q.subscribe((s) => states.push(s.state));
    q.enqueue("theme", send("x"));
    calls[0]!.settle.resolve();
    await tick();
    expect(states[0]).toBe("saving");
    expect(states.at(-1)).toBe("saved");
  });

  it("keeps a failure as the error state until that field saves again", async () => {
    const q = new SaveQueue();
    const { calls, send } = fakeCommand();
    q.enqueue("time", send("20:00"));
    q.enqueue("notes", send("n"));
    const refusal = { kind: "invalid", field: "meeting.end", reason: "not after start" };
    calls[0]!.settle.reject(refusal);
    await tick();
    // The next job still runs.
    expect(calls).toHaveLength(2);
    calls[1]!.settle.resolve();
    await tick();
    expect(q.snapshot().state).toBe("error");
    expect(q.snapshot().errors.get("time")).toBe(refusal);
    expect(q.snapshot().errors.has("notes")).toBe(false);
    q.enqueue("time", send("18:00"));
    calls[2]!.settle.resolve();
    await tick();
    expect(q.snapshot().state).toBe("saved");
    expect(q.snapshot().errors.size).toBe(0);
  });

  it("treats a job that throws at once like a rejection", async () => {
    const q = new SaveQueue();
    q.enqueue("x", () => {
      throw new Error("boom");
    });
    await tick();
    expect(q.snapshot().state).toBe("error");
  });

  it("keeps a value marked invalid while an older save of it finishes", async () => {
    const q = new SaveQueue();
    const { calls, send } = fakeCommand();
    q.enqueue("time", send("18:00"));
    q.markInvalid("time", "end before start");
    expect(q.snapshot().errors.get("time")).toBe("end before start");
    calls[0]!.settle.resolve();
    await tick();
    expect(q.snapshot().state).toBe("error");
    q.clearError("time");
    expect(q.snapshot().state).toBe("saved");
  });

  describe("with a delay", () => {
    beforeEach(() => {
      vi.useFakeTimers();
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    it("waits for a pause in typing, but not longer", () => {
      const q = new SaveQueue();
      const { calls, send } = fakeCommand();
      q.enqueue("notes", send("C"), 150);
      expect(q.snapshot().state).toBe("saving");
      vi.advanceTimersByTime(100);
      q.enqueue("notes", send("Ci"), 150);
      vi.advanceTimersByTime(149);
      expect(calls).toHaveLength(0);
      vi.advanceTimersByTime(1);
      expect(calls.map((c) => c.value)).toEqual(["Ci"]);
      calls[0]!.settle.resolve();
    });

    it("sends at once on flush, and flush resolves when everything is saved", async () => {
      const q = new SaveQueue();
      const { calls, send } = fakeCommand();
      q.enqueue("notes", send("Ciao"), 150);
      let flushed = false;
      void flushAllSaves().then(() => {
        flushed = true;
      });
      expect(calls.map((c) => c.value)).toEqual(["Ciao"]);
      await vi.advanceTimersByTimeAsync(0);
      expect(flushed).toBe(false);
      calls[0]!.settle.resolve();
      await vi.advanceTimersByTimeAsync(0);
      expect(flushed).toBe(true);
      expect(q.snapshot().state).toBe("saved");
    });
  });
});
