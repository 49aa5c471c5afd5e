import { act, fireEvent, render, screen } from "@testing-library/preact";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SearchBox } from "./SearchBox";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("SearchBox", () => {
  it("is a labelled search landmark", () => {
    render(<SearchBox label="Cerca famiglie" onSearch={() => {}} />);
    expect(screen.getByRole("search", { name: "Cerca famiglie" })).toBeTruthy();
    expect(screen.getByRole("searchbox", { name: "Cerca famiglie" })).toBeTruthy();
  });

  it("debounces typing", () => {
    const onSearch = vi.fn();
    render(<SearchBox label="Cerca" onSearch={onSearch} delay={300} />);
    const box = screen.getByRole("searchbox");
    fireEvent.input(box, { target: { value: "ro" } });
    act(() => {
      vi.advanceTimersByTime(200);
    });
    fireEvent.input(box, { target: { value: "ros" } });
    act(() => {
      vi.advanceTimersByTime(299);
    });
    expect(onSearch).not.toHaveBeenCalled();
    act(() => {
      vi.advanceTimersByTime(1);
    });
    expect(onSearch).toHaveBeenCalledTimes(1);
    expect(onSearch).toHaveBeenLastCalledWith("ros");
  });

  it("searches at once on Enter and clears on Esc", () => {
    const onSearch = vi.fn();
    render(<SearchBox label="Cerca" onSearch={onSearch} />);
    const box = screen.getByRole("searchbox") as HTMLInputElement;
    fireEvent.input(box, { target: { value: "bianchi" } });
    fireEvent.keyDown(box, { key: "Enter" });
    expect(onSearch).toHaveBeenLastCalledWith("bianchi");
    fireEvent.keyDown(box, { key: "Escape" });
    expect(onSearch).toHaveBeenLastCalledWith("");
    expect(box.value).toBe("");
    act(() => {
      vi.advanceTimersByTime(1000);
    });
    expect(onSearch).toHaveBeenCalledTimes(2);
  });

  it("has a labelled clear button while there is text", () => {
    const onSearch = vi.fn();
    render(<SearchBox label="Cerca" onSearch={onSearch} initialValue="verdi" />);
    fireEvent.click(screen.getByRole("button", { name: "Cancella la ricerca" }));
    expect(onSearch).toHaveBeenLastCalledWith("");
    expect(screen.queryByRole("button", { name: "Cancella la ricerca" })).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole("searchbox"));
  });
});
