import { act, fireEvent, render, screen } from "@testing-library/preact";
import { describe, expect, it, vi } from "vitest";
import { flush } from "../components/testing";
import { useLoad, type Load } from "./useLoad";

/** A promise settled from the test, to order answers at will. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Shows the hook's state as text; `seen` receives every result for the assertions. */
function Probe({
  id,
  load,
  onError,
  seen,
}: {
  id: string;
  load: (id: string) => Promise<string>;
  onError?: (err: unknown) => void;
  seen?: (l: Load<string>) => void;
}) {
  const l = useLoad(() => load(id), [id], onError ? { onError } : {});
  seen?.(l);
  return (
    <div>
      <p data-testid="data">{l.data ?? "-"}</p>
      <p data-testid="error">{l.error === null ? "-" : String(l.error)}</p>
      <p data-testid="loading">{l.loading ? "yes" : "no"}</p>
      <button type="button" onClick={() => void l.reload()}>
        reload
      </button>
    </div>
  );
}

const text = (id: string) => screen.getByTestId(id).textContent;

describe("useLoad", () => {
  it("loads on mount and says it is loading until the answer", async () => {
    const d = deferred<string>();
    render(<Probe id="a" load={() => d.promise} />);
    expect(text("data")).toBe("-");
    expect(text("loading")).toBe("yes");
    await act(async () => d.resolve("A"));
    expect(text("data")).toBe("A");
    expect(text("loading")).toBe("no");
    expect(text("error")).toBe("-");
  });

  it("drops a stale answer: the newer dependency's value stays", async () => {
    const pending = new Map<string, ReturnType<typeof deferred<string>>>();
    const load = vi.fn((id: string) => {
      const d = deferred<string>();
      pending.set(id, d);
      return d.promise;
    });
    const { rerender } = render(<Probe id="a" load={load} />);
    rerender(<Probe id="b" load={load} />);
    await flush();
    expect(load.mock.calls.map((c) => c[0])).toEqual(["a", "b"]);
    // The new lab's value arrives first, the old one late.
    await act(async () => pending.get("b")?.resolve("B"));
    await act(async () => pending.get("a")?.resolve("A"));
    await flush();
    expect(text("data")).toBe("B");
    expect(text("loading")).toBe("no");
  });

  it("hides the previous dependency's value from the first render with the new one", async () => {
    const values: (string | null)[] = [];
    const answers: Record<string, Promise<string>> = { a: Promise.resolve("A"), b: new Promise(() => {}) };
    const { rerender } = render(<Probe id="a" load={(id) => answers[id] ?? Promise.reject(id)} />);
    await flush();
    expect(text("data")).toBe("A");
    rerender(
      <Probe id="b" load={(id) => answers[id] ?? Promise.reject(id)} seen={(l) => values.push(l.data)} />,
    );
    expect(values[0]).toBeNull();
    expect(text("data")).toBe("-");
    expect(text("loading")).toBe("yes");
  });

  it("drops a stale reload: the later reload's answer wins whatever the order", async () => {
    const answers = [deferred<string>(), deferred<string>(), deferred<string>()];
    let n = 0;
    render(<Probe id="a" load={() => answers[n++]?.promise ?? Promise.reject(new Error("too many"))} />);
    await act(async () => answers[0]?.resolve("first"));
    fireEvent.click(screen.getByRole("button", { name: "reload" }));
    fireEvent.click(screen.getByRole("button", { name: "reload" }));
    await act(async () => answers[2]?.resolve("third"));
    await act(async () => answers[1]?.resolve("second"));
    expect(text("data")).toBe("third");
    // A failure of the older one, late, is dropped too.
    expect(text("error")).toBe("-");
  });

  it("ignores an answer after unmount (no write, no error reported)", async () => {
    const d = deferred<string>();
    const onError = vi.fn();
    const seen = vi.fn();
    const { unmount } = render(<Probe id="a" load={() => d.promise} onError={onError} seen={seen} />);
    const renders = seen.mock.calls.length;
    unmount();
    await act(async () => d.reject(new Error("late")));
    await flush();
    expect(onError).not.toHaveBeenCalled();
    expect(seen.mock.calls.length).toBe(renders);
  });

  it("reloads, keeping the value on screen meanwhile", async () => {
    const answers = [deferred<string>(), deferred<string>()];
    let n = 0;
    let last: Load<string> | undefined;
    render(
      <Probe
        id="a"
        load={() => answers[n++]?.promise ?? Promise.reject(new Error("too many"))}
        seen={(l) => (last = l)}
      />,
    );
    await act(async () => answers[0]?.resolve("one"));
    let settled = false;
    act(() => {
      void last?.reload().then(() => (settled = true));
    });
    expect(text("data")).toBe("one");
    expect(text("loading")).toBe("yes");
    expect(settled).toBe(false);
    await act(async () => answers[1]?.resolve("two"));
    expect(text("data")).toBe("two");
    expect(settled).toBe(true);
  });

  it("reports an error, then a retry that succeeds clears it", async () => {
    const answers = [deferred<string>(), deferred<string>()];
    let n = 0;
    const onError = vi.fn();
    render(
      <Probe id="a" load={() => answers[n++]?.promise ?? Promise.reject(new Error("too many"))} onError={onError} />,
    );
    await act(async () => answers[0]?.reject("offline"));
    expect(text("error")).toBe("offline");
    expect(text("data")).toBe("-");
    expect(text("loading")).toBe("no");
    expect(onError).toHaveBeenCalledExactlyOnceWith("offline");
    fireEvent.click(screen.getByRole("button", { name: "reload" }));
    // The failure stays on screen while the retry runs.
    expect(text("error")).toBe("offline");
    expect(text("loading")).toBe("yes");
    await act(async () => answers[1]?.resolve("back"));
    expect(text("data")).toBe("back");
    expect(text("error")).toBe("-");
    expect(onError).toHaveBeenCalledTimes(1);
  });

  it("keeps the last value when a reload fails", async () => {
    const answers = [Promise.resolve("kept"), Promise.reject("boom")];
    answers[1]?.catch(() => undefined);
    let n = 0;
    render(<Probe id="a" load={() => answers[n++] ?? Promise.reject(new Error("too many"))} />);
    await flush();
    fireEvent.click(screen.getByRole("button", { name: "reload" }));
    await flush();
    expect(text("data")).toBe("kept");
    expect(text("error")).toBe("boom");
  });

  it("setData wins over a load still running", async () => {
    const d = deferred<string>();
    let last: Load<string> | undefined;
    render(<Probe id="a" load={() => d.promise} seen={(l) => (last = l)} />);
    act(() => last?.setData("saved"));
    await act(async () => d.resolve("older"));
    expect(text("data")).toBe("saved");
    expect(text("loading")).toBe("no");
  });
});
