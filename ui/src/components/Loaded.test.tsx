import { act, fireEvent, screen } from "@testing-library/preact";
import { describe, expect, it } from "vitest";
import { useLoad } from "../api/useLoad";
import { Loaded } from "./Loaded";
import { renderScreen } from "./testing";

function Section({ load, failed }: { load: () => Promise<string[]>; failed?: string }) {
  const list = useLoad(load, []);
  return (
    <Loaded load={list} failed={failed} data-testid="failed">
      {(items) => <ul data-testid="list">{items.map((x) => <li key={x}>{x}</li>)}</ul>}
    </Loaded>
  );
}

describe("Loaded", () => {
  it("shows a spinner, then the content", async () => {
    let answer!: (v: string[]) => void;
    const { container } = renderScreen(<Section load={() => new Promise((resolve) => (answer = resolve))} />);
    // The toasts' live region is a status too, outside the container.
    const spinner = () => container.querySelector('[role="status"]');
    expect(spinner()?.textContent).toBe("Caricamento…");
    await act(async () => answer(["a", "b"]));
    expect(screen.getByTestId("list").textContent).toBe("ab");
    expect(spinner()).toBeNull();
  });

  it("says the load failed and offers a retry that shows the content once it works", async () => {
    const answers = [Promise.reject(new Error("offline")), Promise.resolve(["back"])];
    answers[0]?.catch(() => undefined);
    let n = 0;
    renderScreen(<Section load={() => answers[n++] ?? Promise.reject(new Error("too many"))} />);
    await act(async () => undefined);
    expect(screen.getByTestId("failed").textContent).toContain("Impossibile caricare questi dati.");
    await act(async () => {
      fireEvent.click(screen.getByRole("button", { name: "Riprova" }));
    });
    expect(screen.queryByTestId("failed")).toBeNull();
    expect(screen.getByTestId("list").textContent).toBe("back");
  });

  it("says what failed in the screen's words when it has them", async () => {
    renderScreen(<Section load={() => Promise.reject(new Error("offline"))} failed="Non riesco a leggere lo stato." />);
    await act(async () => undefined);
    expect(screen.getByTestId("failed").textContent).toContain("Non riesco a leggere lo stato.");
  });
});
