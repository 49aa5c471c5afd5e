/**
 * What a screen shows when its list cannot be read, and when answers come
 * out of order (the rules of `api/useLoad.ts`, seen on the People screen).
 */
import { fireEvent, screen, waitFor, within } from "@testing-library/preact";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Person } from "../bindings";
import { LAB_1, LAB_2, fail, flush, ok, renderScreen } from "../components/testing";
import { People } from "./People";

vi.mock("../bindings", () => ({ commands: { listStaff: vi.fn(), addStaff: vi.fn() } }));

import { commands } from "../bindings";

const api = vi.mocked(commands);

const anna: Person = {
  id: "p1",
  code: "PV01-0100",
  first_name: "Anna",
  last_name: "Rossi",
  role: "operator",
  organisation: "",
  phone: "",
  email: "",
  labs: [LAB_1],
};
const bruno: Person = { ...anna, id: "p2", code: "PV03-0101", first_name: "Bruno", last_name: "Verdi", labs: [LAB_2] };

beforeEach(() => {
  vi.resetAllMocks();
});

describe("a list that cannot be read", () => {
  it("says so with a retry, not that the list is empty, and shows it once the retry works", async () => {
    api.listStaff.mockImplementationOnce(() => fail({ kind: "internal", detail: "disk I/O error" }));
    renderScreen(<People />);
    const retry = await screen.findByRole("button", { name: "Riprova" });
    expect(retry.closest(".notice")?.textContent).toContain("Impossibile caricare questi dati.");
    expect(screen.queryByText("Nessuno in elenco.")).toBeNull();
    // The toast says why, once.
    expect(within(screen.getByRole("alert")).getAllByText(/errore interno/i)).toHaveLength(1);
    api.listStaff.mockImplementation(() => ok([anna]));
    fireEvent.click(retry);
    const table = await screen.findByTestId("people-table");
    expect(within(table).getAllByRole("row")).toHaveLength(2);
    expect(screen.queryByRole("button", { name: "Riprova" })).toBeNull();
  });
});

describe("answers out of order", () => {
  it("keep the roster of the labs last asked for", async () => {
    let lab1!: (people: Person[]) => void;
    api.listStaff.mockImplementation((lab) =>
      lab === null
        ? ok([anna, bruno])
        : new Promise((resolve) => (lab1 = (people) => resolve({ status: "ok", data: people }))),
    );
    renderScreen(<People />);
    fireEvent.click(screen.getByTestId("people-all-labs"));
    await waitFor(() => expect(within(screen.getByTestId("people-table")).getAllByRole("row")).toHaveLength(3));
    // Lab 1's answer, asked first, arrives last.
    lab1([anna]);
    await flush();
    expect(within(screen.getByTestId("people-table")).getAllByRole("row")).toHaveLength(3);
    expect(screen.getByText("2 persone")).toBeTruthy();
  });
});
