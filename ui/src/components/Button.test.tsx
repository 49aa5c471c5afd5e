import { act, fireEvent, render, screen } from "@testing-library/preact";
import { createRef } from "preact";
import { describe, expect, it, vi } from "vitest";
import { Button, SPINNER_STILL_MS } from "./Button";
import { Spinner } from "./Spinner";

describe("Button", () => {
  it("is a plain button (not submit) by default", () => {
    const onClick = vi.fn();
    render(<Button onClick={onClick}>Salva</Button>);
    const button = screen.getByRole("button", { name: "Salva" });
    expect(button.getAttribute("type")).toBe("button");
    fireEvent.click(button);
    expect(onClick).toHaveBeenCalledTimes(1);
  });

  it("stays focusable but ignores clicks while busy", () => {
    const onClick = vi.fn();
    render(
      <Button busy onClick={onClick}>
        Salva
      </Button>,
    );
    const button = screen.getByRole("button", { name: "Salva" }) as HTMLButtonElement;
    expect(button.disabled).toBe(false);
    expect(button.getAttribute("aria-busy")).toBe("true");
    expect(button.getAttribute("aria-disabled")).toBe("true");
    fireEvent.click(button);
    expect(onClick).not.toHaveBeenCalled();
  });

  it("shows a still spinner at once and turns it only after SPINNER_STILL_MS", () => {
    vi.useFakeTimers();
    try {
      const { container, rerender } = render(<Button busy>Sblocca</Button>);
      const still = () => container.querySelector(".spinner-wrap--still");
      expect(container.querySelector(".spinner")).not.toBeNull();
      expect(still()).not.toBeNull();
      act(() => {
        vi.advanceTimersByTime(SPINNER_STILL_MS - 1);
      });
      expect(still()).not.toBeNull();
      act(() => {
        vi.advanceTimersByTime(1);
      });
      expect(still()).toBeNull();
      expect(container.querySelector(".spinner")).not.toBeNull();
      // Busy again later: still again at first.
      rerender(<Button>Sblocca</Button>);
      expect(container.querySelector(".spinner")).toBeNull();
      rerender(<Button busy>Sblocca</Button>);
      expect(still()).not.toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });

  it("passes a ref through to the <button>", () => {
    const ref = createRef<HTMLButtonElement>();
    render(<Button ref={ref}>Ok</Button>);
    expect(ref.current?.tagName).toBe("BUTTON");
  });
});

describe("Spinner", () => {
  it("announces loading unless decorative", () => {
    render(<Spinner />);
    expect(screen.getByRole("status").textContent).toBe("Caricamento…");
    document.body.innerHTML = "";
    render(<Spinner decorative />);
    expect(screen.queryByRole("status")).toBeNull();
  });
});
