import { fireEvent, screen, waitFor, within } from "@testing-library/preact";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Person } from "../bindings";
import { LAB_1, LAB_2, fail, ok, renderScreen } from "../components/testing";
import { People, newPersonFrom } from "./People";

vi.mock("../bindings", () => ({ commands: { listStaff: vi.fn(), addStaff: vi.fn() } }));

import { commands } from "../bindings";

const api = vi.mocked(commands);

const anna: Person = {
  id: "p1",
  code: "PV01-0100",
  first_name: "Anna",
  last_name: "Rossi",
  role: "operator",
  organisation: "Coop. Uno",
  phone: "333 1234567",
  email: "",
  labs: [LAB_1],
};
const bruno: Person = { ...anna, id: "p2", code: "PV03-0101", first_name: "Bruno", last_name: "Verdi", role: "volunteer", organisation: "", phone: "", labs: [LAB_2] };

beforeEach(() => {
  vi.resetAllMocks();
  api.listStaff.mockImplementation((lab) => ok(lab === null ? [anna, bruno] : [anna]));
  api.addStaff.mockImplementation(() => ok("p3"));
});

describe("People screen", () => {
  it("lists the current lab's roster, or every lab's", async () => {
    renderScreen(<People />);
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Operatori e volontari");
    const table = await screen.findByTestId("people-table");
    expect(api.listStaff).toHaveBeenCalledWith(LAB_1);
    const rows = within(table).getAllByRole("row");
    expect(rows).toHaveLength(2);
    expect(rows[1]?.textContent).toBe("PV01-0100Rossi AnnaOperatoreCoop. Uno333 1234567");
    fireEvent.click(screen.getByTestId("people-all-labs"));
    await waitFor(() => expect(api.listStaff).toHaveBeenLastCalledWith(null));
    await waitFor(() => expect(within(screen.getByTestId("people-table")).getAllByRole("row")).toHaveLength(3));
    expect(within(screen.getByTestId("people-table")).getByText("3 · Pavia Ovest")).toBeTruthy();
    expect(screen.getByText("2 persone")).toBeTruthy();
  });

  it("adds someone to the chosen lab", async () => {
    renderScreen(<People />);
    await screen.findByTestId("people-table");
    const form = screen.getByTestId("add-staff");
    fireEvent.input(within(form).getByRole("textbox", { name: /^Nome/ }), { target: { value: " Carla " } });
    fireEvent.input(within(form).getByRole("textbox", { name: /^Cognome/ }), { target: { value: "Bassi" } });
    fireEvent.click(within(form).getByRole("radio", { name: "Operatore" }));
    fireEvent.change(within(form).getByRole("combobox", { name: "Laboratorio" }), { target: { value: LAB_2 } });
    fireEvent.click(within(form).getByRole("button", { name: "Aggiungi" }));
    await waitFor(() =>
      expect(api.addStaff).toHaveBeenCalledWith({
        lab: LAB_2,
        first_name: "Carla",
        last_name: "Bassi",
        role: "operator",
        organisation: "",
        phone: "",
        email: "",
      }),
    );
    await waitFor(() => expect(api.listStaff).toHaveBeenCalledTimes(2));
  });

  it("asks for the names first, and shows the field the Rust side refused", async () => {
    renderScreen(<People />);
    await screen.findByTestId("people-table");
    const form = screen.getByTestId("add-staff");
    fireEvent.click(within(form).getByRole("button", { name: "Aggiungi" }));
    expect(within(form).getByText("Scrivi il nome.")).toBeTruthy();
    expect(api.addStaff).not.toHaveBeenCalled();
    api.addStaff.mockImplementation(() => fail({ kind: "invalid", field: "person.last_name", reason: "too long" }));
    fireEvent.input(within(form).getByRole("textbox", { name: /^Nome/ }), { target: { value: "Carla" } });
    fireEvent.input(within(form).getByRole("textbox", { name: /^Cognome/ }), { target: { value: "B".repeat(300) } });
    fireEvent.click(within(form).getByRole("button", { name: "Aggiungi" }));
    await waitFor(() => expect(within(form).getByText("Controlla questo campo.")).toBeTruthy());
    expect(screen.getByRole("alert").textContent).toContain("Controlla il campo «Cognome»");
  });

  it("builds a trimmed NewPerson", () => {
    expect(
      newPersonFrom(
        { first: " A ", last: " B ", role: "volunteer", organisation: " Org ", phone: " 1 ", email: " e@x.it ", lab: LAB_1 },
        LAB_1,
      ),
    ).toEqual({ lab: LAB_1, first_name: "A", last_name: "B", role: "volunteer", organisation: "Org", phone: "1", email: "e@x.it" });
  });
});
