import { act, fireEvent, render, screen } from "@testing-library/preact";
import { useRef } from "preact/hooks";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Button } from "./Button";
import { MAX_TOASTS, TOAST_TIMEOUT_MS, ToastProvider, useToast } from "./Toast";

function Buttons() {
  const toast = useToast();
  return (
    <>
      <Button onClick={() => toast.success("Salvato")}>ok</Button>
      <Button onClick={() => toast.error({ kind: "wrong_passphrase" })}>ko</Button>
      <Button onClick={() => toast.error({ kind: "internal", detail: "disk I/O error" })}>boom</Button>
    </>
  );
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("Toasts", () => {
  it("announce confirmations politely and let them go", () => {
    render(
      <ToastProvider>
        <Buttons />
      </ToastProvider>,
    );
    const status = screen.getByRole("status");
    expect(status.getAttribute("aria-live")).toBe("polite");
    fireEvent.click(screen.getByRole("button", { name: "ok" }));
    expect(status.textContent).toContain("Salvato");
    act(() => {
      vi.advanceTimersByTime(TOAST_TIMEOUT_MS);
    });
    expect(status.textContent).not.toContain("Salvato");
  });

  it("announce translated errors assertively and keep them until dismissed", () => {
    render(
      <ToastProvider>
        <Buttons />
      </ToastProvider>,
    );
    const alert = screen.getByRole("alert");
    fireEvent.click(screen.getByRole("button", { name: "ko" }));
    expect(alert.textContent).toContain("La passphrase non è corretta.");
    act(() => {
      vi.advanceTimersByTime(60_000);
    });
    expect(alert.textContent).toContain("La passphrase non è corretta.");
    fireEvent.click(screen.getByRole("button", { name: "Chiudi il messaggio" }));
    expect(alert.textContent).toBe("");
  });

  it("keep technical details behind a disclosure", () => {
    render(
      <ToastProvider>
        <Buttons />
      </ToastProvider>,
    );
    fireEvent.click(screen.getByRole("button", { name: "boom" }));
    expect(screen.getByText("Dettagli").tagName).toBe("SUMMARY");
    expect(screen.getByText("internal: disk I/O error")).toBeTruthy();
  });

  it("live outside the app so dialogs do not make them inert", () => {
    const { container } = render(
      <ToastProvider>
        <Buttons />
      </ToastProvider>,
    );
    const region = screen.getByRole("status").parentElement;
    expect(region?.hasAttribute("data-live-region")).toBe(true);
    expect(container.contains(region ?? null)).toBe(false);
  });

  it("let a confirmation go after its time, not before", () => {
    render(
      <ToastProvider>
        <Buttons />
      </ToastProvider>,
    );
    fireEvent.click(screen.getByRole("button", { name: "ok" }));
    act(() => {
      vi.advanceTimersByTime(TOAST_TIMEOUT_MS - 1);
    });
    expect(screen.getByRole("status").textContent).toContain("Salvato");
    act(() => {
      vi.advanceTimersByTime(1);
    });
    expect(screen.getByRole("status").textContent).toBe("");
  });

  it("show at most a few at once, errors included: the oldest go", () => {
    render(
      <ToastProvider>
        <Numbered />
      </ToastProvider>,
    );
    expect(MAX_TOASTS).toBeLessThanOrEqual(3);
    const messages = (role: "status" | "alert") =>
      [...screen.getByRole(role).querySelectorAll(".toast__message")].map((m) => m.textContent);
    const error = screen.getByRole("button", { name: "error" });
    const info = screen.getByRole("button", { name: "info" });
    for (let i = 0; i < 3; i++) fireEvent.click(error);
    for (let i = 0; i < 3; i++) fireEvent.click(info);
    expect(document.querySelectorAll(".toast")).toHaveLength(MAX_TOASTS);
    // Errors 1-3 came first, so they went first.
    expect(messages("alert")).toEqual([]);
    expect(messages("status")).toEqual(["info 4", "info 5", "info 6"].slice(-MAX_TOASTS));
    // A new error pushes out the oldest confirmation, and stays after the others have gone.
    fireEvent.click(error);
    expect(document.querySelectorAll(".toast")).toHaveLength(MAX_TOASTS);
    act(() => {
      vi.advanceTimersByTime(TOAST_TIMEOUT_MS);
    });
    expect(messages("status")).toEqual([]);
    expect(messages("alert")).toEqual(["error 7"]);
  });

  it("show the same error once, however often it comes", () => {
    render(
      <ToastProvider>
        <Buttons />
      </ToastProvider>,
    );
    for (let i = 0; i < 5; i++) fireEvent.click(screen.getByRole("button", { name: "ko" }));
    fireEvent.click(screen.getByRole("button", { name: "boom" }));
    const alerts = screen.getByRole("alert").querySelectorAll(".toast");
    expect(alerts).toHaveLength(2);
    // The repeated one moved to the newest place before "boom".
    expect(alerts[0]?.textContent).toContain("La passphrase non è corretta.");
  });

  it("stay while the pointer is over them, then get their whole time again", () => {
    render(
      <ToastProvider>
        <Buttons />
      </ToastProvider>,
    );
    fireEvent.click(screen.getByRole("button", { name: "ok" }));
    const region = screen.getByRole("status").parentElement as HTMLElement;
    fireEvent.mouseEnter(region);
    act(() => {
      vi.advanceTimersByTime(TOAST_TIMEOUT_MS * 3);
    });
    expect(screen.getByRole("status").textContent).toContain("Salvato");
    fireEvent.mouseLeave(region);
    act(() => {
      vi.advanceTimersByTime(TOAST_TIMEOUT_MS - 1);
    });
    expect(screen.getByRole("status").textContent).toContain("Salvato");
    act(() => {
      vi.advanceTimersByTime(1);
    });
    expect(screen.getByRole("status").textContent).toBe("");
  });

  it("stay while focus is in them, and go once it leaves", () => {
    render(
      <ToastProvider>
        <Buttons />
      </ToastProvider>,
    );
    fireEvent.click(screen.getByRole("button", { name: "ok" }));
    const close = screen.getByRole("button", { name: "Chiudi il messaggio" });
    close.focus();
    act(() => {
      vi.advanceTimersByTime(TOAST_TIMEOUT_MS * 2);
    });
    expect(screen.getByRole("status").textContent).toContain("Salvato");
    screen.getByRole("button", { name: "ok" }).focus();
    act(() => {
      vi.advanceTimersByTime(TOAST_TIMEOUT_MS);
    });
    expect(screen.getByRole("status").textContent).toBe("");
  });
});

/** Buttons whose messages differ each time (numbered in order), to fill the stack. */
function Numbered() {
  const toast = useToast();
  const n = useRef(0);
  return (
    <>
      <Button onClick={() => toast.notify(`error ${++n.current}`, { kind: "error" })}>error</Button>
      <Button onClick={() => toast.notify(`info ${++n.current}`)}>info</Button>
    </>
  );
}
