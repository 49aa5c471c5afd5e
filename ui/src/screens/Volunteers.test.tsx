import { fireEvent, screen, waitFor, within } from "@testing-library/preact";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Person, VolunteerRecord, VolunteersView } from "../bindings";
import { fail, ok, renderScreen } from "../components/testing";
import { translatorFor } from "../i18n";
import { Volunteers, changeText, entryOf, formErrors, formOf } from "./Volunteers";

vi.mock("../bindings", () => ({
  commands: {
    volunteersView: vi.fn(),
    keepVolunteer: vi.fn(),
    volunteerHistory: vi.fn(),
    exportVolunteersRegister: vi.fn(),
    eraseVolunteer: vi.fn(),
    eraseVolunteersDue: vi.fn(),
    volunteerAccess: vi.fn(),
  },
}));

import { commands } from "../bindings";

const api = vi.mocked(commands);
const t = translatorFor("it");
const ORG = "0190e000-0000-7000-8000-000000000001";
const P1 = "0190c000-0000-7000-8000-000000000001";
const P2 = "0190c000-0000-7000-8000-000000000002";

const person = (id: string, first: string, last: string): Person => ({
  id,
  code: "PV01-0001",
  first_name: first,
  last_name: last,
  role: "volunteer",
  organisation: "",
  phone: "",
  email: "",
  labs: [],
});

const record: VolunteerRecord = {
  person: P1,
  organisation: ORG,
  codice_fiscale: "RSSMRA85T10A562S",
  birth_place: "",
  birth_date: null,
  residence: "Via Roma 1, Pavia",
  start: "2026-03-01",
  end: null,
  occasional: false,
  insurance_from: "2026-01-01",
  insurance_to: "2026-06-30",
};

function view(over: Partial<VolunteersView> = {}): VolunteersView {
  return {
    organisation: { id: ORG, name: "Consorzio Sociale Pavese" },
    organisations: [{ id: ORG, name: "Consorzio Sociale Pavese" }],
    rows: [
      { person: person(P1, "Mario", "Rossi"), record },
      { person: person(P2, "Anna", "Bianchi"), record: null },
    ],
    warnings: [
      { meeting: "m1", lab: "l1", date: "2026-07-02", person: P1, not_volunteering: false, not_insured: true },
    ],
    due: [],
    erased: [],
    retention_years: 5,
    ...over,
  };
}

/** The `i`-th element, which the test expects to be there. */
function nth(elements: HTMLElement[], i: number): HTMLElement {
  const e = elements[i];
  if (!e) throw new Error(`no element ${i} of ${elements.length}`);
  return e;
}

beforeEach(() => {
  vi.resetAllMocks();
  api.volunteersView.mockImplementation(() => ok(view()));
  api.keepVolunteer.mockImplementation(() => ok(record));
  api.volunteerHistory.mockImplementation(() =>
    ok([
      {
        at: "2026-03-01T10:15:00Z",
        device: "0190f000-0000-7000-8000-000000000009",
        person: null,
        fields: [{ field: "residence", before: "Via Roma 1", after: "Via Roma 2" }],
      },
    ]),
  );
});

describe("the entry form", () => {
  it("sends what was typed, dates as given or null", () => {
    const form = { ...formOf(null), codiceFiscale: " rssmra85t10a562s ", residence: "Via Roma 1", start: "2026-03-01" };
    expect(entryOf(form)).toEqual({
      codice_fiscale: "rssmra85t10a562s",
      birth_place: "",
      birth_date: null,
      residence: "Via Roma 1",
      start: "2026-03-01",
      end: null,
      occasional: false,
      insurance_from: null,
      insurance_to: null,
    });
    expect(formErrors(form, t)).toEqual({});
    expect(Object.keys(formErrors({ ...form, codiceFiscale: "" }, t))).toEqual(["birthPlace"]);
    expect(Object.keys(formErrors(formOf(null), t)).sort()).toEqual(["birthPlace", "residence", "start"]);
    expect(formOf(record).codiceFiscale).toBe("RSSMRA85T10A562S");
  });

  it("names a changed field in Italian", () => {
    expect(changeText({ field: "residence", before: "", after: "Via Roma 2" }, t)).toBe("residenza: «vuoto» → «Via Roma 2»");
  });
});

describe("Registro dei volontari", () => {
  it("lists the entries, the uncovered meetings, and registers a volunteer", async () => {
    renderScreen(<Volunteers />);
    const rows = await screen.findAllByTestId("volunteer-row");
    expect(rows).toHaveLength(2);
    expect(within(nth(rows, 0)).getByText("RSSMRA85T10A562S")).toBeTruthy();
    expect(within(nth(rows, 1)).getByText(t("volunteers.list.noEntry"))).toBeTruthy();
    expect(screen.getByTestId("volunteer-warnings").textContent).toContain(t("volunteers.warnings.notInsured"));

    fireEvent.click(within(nth(rows, 1)).getByRole("button", { name: t("volunteers.list.add") }));
    const form = await screen.findByTestId("volunteer-form");
    fireEvent.input(within(form).getByLabelText(t("volunteers.form.codiceFiscale"), { exact: false }), {
      target: { value: "RSSMRA85T10A562S" },
    });
    fireEvent.input(within(form).getByLabelText(t("volunteers.form.residence"), { exact: false }), {
      target: { value: "Via Po 3" },
    });
    fireEvent.input(within(form).getByLabelText(t("volunteers.form.start"), { exact: false }), {
      target: { value: "2026-04-01" },
    });
    fireEvent.click(screen.getByRole("button", { name: t("volunteers.form.submit") }));
    await waitFor(() => expect(api.keepVolunteer).toHaveBeenCalledTimes(1));
    const [id, entry] = api.keepVolunteer.mock.calls[0] ?? [];
    expect(id).toBe(P2);
    expect(entry).toMatchObject({ codice_fiscale: "RSSMRA85T10A562S", residence: "Via Po 3", start: "2026-04-01" });
  });

  it("shows an entry's history", async () => {
    renderScreen(<Volunteers />);
    const rows = await screen.findAllByTestId("volunteer-row");
    fireEvent.click(within(nth(rows, 0)).getByRole("button", { name: t("volunteers.list.history") }));
    const table = await screen.findByTestId("volunteer-history");
    expect(table.textContent).toContain("residenza: «Via Roma 1» → «Via Roma 2»");
    expect(api.volunteerHistory).toHaveBeenCalledWith(P1);
  });

  it("tells a device of no organisation how to get there", async () => {
    api.volunteersView.mockImplementation(() => ok(view({ organisation: null, rows: [] })));
    renderScreen(<Volunteers />);
    expect((await screen.findByTestId("volunteers-no-organisation")).textContent).toBe(t("volunteers.noOrganisation"));
  });

  it("shows the hub's refusal of an entry", async () => {
    api.keepVolunteer.mockImplementation(() => fail({ kind: "forbidden", action: "volunteers_register" }));
    renderScreen(<Volunteers />);
    const rows = await screen.findAllByTestId("volunteer-row");
    fireEvent.click(within(nth(rows, 0)).getByRole("button", { name: t("volunteers.list.edit") }));
    await screen.findByTestId("volunteer-form");
    fireEvent.click(screen.getByRole("button", { name: t("volunteers.form.submit") }));
    await waitFor(() => expect(api.keepVolunteer).toHaveBeenCalled());
    expect(await screen.findByRole("dialog")).toBeTruthy();
  });

  it("erases an entry after saying what the signed registers keep", async () => {
    api.eraseVolunteer.mockImplementation(() =>
      ok({ person: P1, organisation: ORG, at: "2026-09-01T10:00:00Z", by_device: "d", by_person: null, reason: "withdrawal" }),
    );
    renderScreen(<Volunteers />);
    const rows = await screen.findAllByTestId("volunteer-row");
    fireEvent.click(within(nth(rows, 0)).getByRole("button", { name: t("volunteers.list.erase") }));
    const dialog = await screen.findByRole("dialog");
    expect(dialog.textContent).toContain(t("volunteers.erase.law"));
    expect(api.eraseVolunteer).not.toHaveBeenCalled();
    fireEvent.click(within(dialog).getByLabelText(t("volunteers.erase.reasonWithdrawal")));
    fireEvent.click(screen.getByTestId("volunteer-erase-confirm"));
    await waitFor(() => expect(api.eraseVolunteer).toHaveBeenCalledWith(P1, "withdrawal"));
    // The screen reloads after the erasure.
    await waitFor(() => expect(api.volunteersView).toHaveBeenCalledTimes(2));
  });

  it("says an erased entry is gone when the erasure is refused", async () => {
    api.eraseVolunteer.mockImplementation(() => fail({ kind: "volunteer_erased" }));
    renderScreen(<Volunteers />);
    const rows = await screen.findAllByTestId("volunteer-row");
    fireEvent.click(within(nth(rows, 0)).getByRole("button", { name: t("volunteers.list.erase") }));
    fireEvent.click(await screen.findByTestId("volunteer-erase-confirm"));
    expect(await screen.findByText(t("errors.volunteerErased"), { exact: false })).toBeTruthy();
  });

  it("lists the entries past retention and erases the chosen ones after confirming", async () => {
    api.volunteersView.mockImplementation(() =>
      ok(view({ due: [{ person: P1, end: "2019-06-30", years_since_end: 7 }], retention_years: 5 })),
    );
    api.eraseVolunteersDue.mockImplementation(() => ok([]));
    renderScreen(<Volunteers />);
    const section = await screen.findByTestId("volunteers-retention");
    expect(section.textContent).toContain(t("volunteers.retention.lede", { years: "5" }));
    expect(section.textContent).toContain("Mario Rossi");
    const erase = within(section).getByRole("button", { name: t("volunteers.retention.submit") });
    expect((erase as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(within(section).getByLabelText(t("volunteers.retention.choose", { name: "Mario Rossi" })));
    fireEvent.click(erase);
    expect((await screen.findByRole("dialog")).textContent).toContain(t("volunteers.retention.confirm", { count: "1" }));
    expect(api.eraseVolunteersDue).not.toHaveBeenCalled();
    fireEvent.click(screen.getByTestId("volunteers-retention-confirm"));
    await waitFor(() => expect(api.eraseVolunteersDue).toHaveBeenCalledWith([P1]));
  });

  it("shows erased entries and saves a volunteer's data extract", async () => {
    api.volunteersView.mockImplementation(() =>
      ok(
        view({
          erased: [{ person: P2, organisation: ORG, at: "2026-05-04T08:00:00Z", by_device: "d", by_person: null, reason: "retention" }],
        }),
      ),
    );
    api.volunteerAccess.mockImplementation(() => ok({ paths: ["/tmp/accesso_dati_volontario_PV01-0001.pdf"] }));
    renderScreen(<Volunteers />);
    const erased = await screen.findByTestId("volunteers-erased");
    expect(erased.textContent).toContain("Bianchi Anna");
    // Anna's row says her entry was erased and offers no new one.
    const anna = nth(screen.getAllByTestId("volunteer-row"), 1);
    expect(anna.textContent).toContain(t("volunteers.list.erased"));
    expect(within(anna).queryByRole("button", { name: t("volunteers.list.add") })).toBeNull();
    expect(erased.textContent).toContain(t("volunteers.erase.reasonRetention"));
    const rows = screen.getAllByTestId("volunteer-row");
    fireEvent.click(within(nth(rows, 0)).getByRole("button", { name: t("volunteers.list.access") }));
    await waitFor(() => expect(api.volunteerAccess).toHaveBeenCalledWith(P1));
    expect(await screen.findByText("accesso_dati_volontario", { exact: false })).toBeTruthy();
  });
});
