import { act, fireEvent, render, screen } from "@testing-library/preact";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Button } from "./Button";
import { TOAST_TIMEOUT_MS, ToastProvider, useToast } from "./Toast";

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
});
