import { fireEvent, render, screen } from "@testing-library/preact";
import { useState } from "preact/hooks";
import { describe, expect, it } from "vitest";
import { setLanguage } from "../i18n";
import { TextField } from "./TextField";

function Controlled(props: { error?: string; hint?: string; required?: boolean; multiline?: boolean }) {
  const [value, setValue] = useState("");
  return (
    <>
      <TextField label="Cognome" value={value} onValueChange={setValue} {...props} />
      <output data-testid="value">{value}</output>
    </>
  );
}

describe("TextField", () => {
  it("is labelled by its visible label", () => {
    render(<Controlled />);
    const input = screen.getByRole("textbox", { name: "Cognome" });
    const label = screen.getByText("Cognome");
    expect(label.tagName).toBe("LABEL");
    expect(label.getAttribute("for")).toBe(input.id);
    expect(input.hasAttribute("aria-describedby")).toBe(false);
    expect(input.hasAttribute("aria-invalid")).toBe(false);
  });

  it("links the hint and the error with aria-describedby and marks it invalid", () => {
    render(<Controlled hint="Come sul documento" error="Il cognome è obbligatorio" />);
    const input = screen.getByRole("textbox", { name: "Cognome" });
    const ids = (input.getAttribute("aria-describedby") ?? "").split(" ");
    expect(ids).toHaveLength(2);
    const texts = ids.map((id) => document.getElementById(id)?.textContent);
    expect(texts).toEqual(["Come sul documento", "Il cognome è obbligatorio"]);
    expect(input.getAttribute("aria-invalid")).toBe("true");
  });

  it("says when it is required, in the current language", () => {
    render(<Controlled required />);
    const input = screen.getByRole("textbox", { name: /Cognome/ });
    expect(input.getAttribute("aria-required")).toBe("true");
    expect(screen.getByText("Cognome").textContent).toBe("Cognome (obbligatorio)");
    setLanguage("en");
  });

  it("reports each change", () => {
    render(<Controlled />);
    const input = screen.getByRole("textbox", { name: "Cognome" });
    fireEvent.input(input, { target: { value: "Rossi" } });
    expect(screen.getByTestId("value").textContent).toBe("Rossi");
  });

  it("works as a textarea", () => {
    render(<Controlled multiline hint="Facoltative" />);
    const area = screen.getByRole("textbox", { name: "Cognome" });
    expect(area.tagName).toBe("TEXTAREA");
    expect(area.getAttribute("aria-describedby")).toMatch(/-hint$/);
  });

  it("gives two fields distinct ids", () => {
    render(
      <>
        <TextField label="Nome" value="" onValueChange={() => {}} />
        <TextField label="Cognome" value="" onValueChange={() => {}} />
      </>,
    );
    const a = screen.getByRole("textbox", { name: "Nome" });
    const b = screen.getByRole("textbox", { name: "Cognome" });
    expect(a.id).not.toBe(b.id);
  });
});
