import { fireEvent, render, screen } from "@testing-library/preact";
import type { VNode } from "preact";
import { useRef, useState } from "preact/hooks";
import { describe, expect, it, vi } from "vitest";
import { Button } from "./Button";
import { Dialog } from "./Dialog";

function Harness({ onClose }: { onClose?: () => void }) {
  const [open, setOpen] = useState(false);
  const close = () => {
    onClose?.();
    setOpen(false);
  };
  return (
    <div id="page">
      <button type="button" onClick={() => setOpen(true)}>
        Apri
      </button>
      <button type="button">Altro</button>
      <Dialog
        open={open}
        onClose={close}
        title="Nuova famiglia"
        footer={
          <>
            <Button onClick={close}>Annulla</Button>
            <Button variant="primary">Salva</Button>
          </>
        }
      >
        <label>
          Cognome <input />
        </label>
        <button type="button" disabled>
          Disabilitato
        </button>
      </Dialog>
    </div>
  );
}

function openDialog() {
  const opener = screen.getByRole("button", { name: "Apri" });
  opener.focus();
  fireEvent.click(opener);
  return { opener, dialog: screen.getByRole("dialog", { name: "Nuova famiglia" }) };
}

describe("Dialog", () => {
  it("is a labelled modal dialog that takes focus", () => {
    render(<Harness />);
    expect(screen.queryByRole("dialog")).toBeNull();
    const { dialog } = openDialog();
    expect(dialog.getAttribute("aria-modal")).toBe("true");
    // The first control of the body gets focus.
    expect(document.activeElement).toBe(screen.getByRole("textbox", { name: "Cognome" }));
  });

  it("traps Tab and Shift+Tab inside", () => {
    render(<Harness />);
    const { dialog } = openDialog();
    const close = screen.getByRole("button", { name: "Chiudi" });
    const save = screen.getByRole("button", { name: "Salva" });

    // Tab on the last control wraps to the first (the × button).
    save.focus();
    const tab = fireEvent.keyDown(save, { key: "Tab" });
    expect(tab).toBe(false); // default prevented
    expect(document.activeElement).toBe(close);

    // Shift+Tab on the first wraps to the last.
    fireEvent.keyDown(close, { key: "Tab", shiftKey: true });
    expect(document.activeElement).toBe(save);

    // Shift+Tab from the dialog itself also stays inside.
    dialog.focus();
    fireEvent.keyDown(dialog, { key: "Tab", shiftKey: true });
    expect(document.activeElement).toBe(save);

    // In between, Tab is left to the browser.
    const input = screen.getByRole("textbox", { name: "Cognome" });
    input.focus();
    expect(fireEvent.keyDown(input, { key: "Tab" })).toBe(true);

    // Disabled controls are skipped by the trap.
    expect(document.activeElement).not.toBe(screen.getByRole("button", { name: "Disabilitato" }));
  });

  it("brings back focus that escapes", () => {
    render(<Harness />);
    openDialog();
    screen.getByRole("button", { name: "Altro" }).focus();
    expect(screen.getByRole("dialog").contains(document.activeElement)).toBe(true);
  });

  it("makes the rest of the page inert while open", () => {
    const { container } = render(<Harness />);
    openDialog();
    expect(container.hasAttribute("inert")).toBe(true);
    fireEvent.keyDown(screen.getByRole("dialog"), { key: "Escape" });
    expect(container.hasAttribute("inert")).toBe(false);
  });

  it("closes on Esc and returns focus to the opener", () => {
    const onClose = vi.fn();
    render(<Harness onClose={onClose} />);
    const { opener } = openDialog();
    fireEvent.keyDown(screen.getByRole("textbox", { name: "Cognome" }), { key: "Escape" });
    expect(onClose).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(document.activeElement).toBe(opener);
  });

  it("closes with the × button too", () => {
    render(<Harness />);
    const { opener } = openDialog();
    fireEvent.click(screen.getByRole("button", { name: "Chiudi" }));
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(document.activeElement).toBe(opener);
  });

  it("focuses `initialFocus`, or the dialog when it has no controls in its body", () => {
    function Confirm() {
      const cancel = useRef<HTMLButtonElement>(null);
      return (
        <Dialog
          open
          onClose={() => {}}
          title="Eliminare?"
          initialFocus={cancel}
          footer={
            <>
              <button ref={cancel} type="button">
                Annulla
              </button>
              <button type="button">Elimina</button>
            </>
          }
        >
          <p>Non si può annullare.</p>
        </Dialog>
      );
    }
    render(<Confirm />);
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "Annulla" }));
    cleanupAndRender(
      <Dialog open onClose={() => {}} title="Info">
        <p>Solo testo.</p>
      </Dialog>,
    );
    expect(document.activeElement).toBe(screen.getByRole("dialog", { name: "Info" }));
  });
});

function cleanupAndRender(ui: VNode) {
  document.body.innerHTML = "";
  render(ui);
}
