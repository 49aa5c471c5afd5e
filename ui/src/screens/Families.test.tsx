import { act, fireEvent, screen, waitFor, within } from "@testing-library/preact";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { FamilyDetail, Household, HouseholdHit } from "../bindings";
import { LAB_1, fail, flush, ok, renderScreen, sessionFixture } from "../components/testing";
import { Families } from "./Families";
import { SEARCH_DELAY_MS, SEARCH_LIMIT } from "./families/FamilySearch";

vi.mock("../bindings", () => ({
  commands: {
    searchFamilies: vi.fn(),
    getFamily: vi.fn(),
    mergeFamilies: vi.fn(),
    undoMerge: vi.fn(),
    confirmMerge: vi.fn(),
    addMember: vi.fn(),
    updateFamily: vi.fn(),
    registerFamily: vi.fn(),
    auditTrail: vi.fn(() => Promise.resolve({ status: "ok", data: [] })),
    listStaff: vi.fn(),
    withdrawConsent: vi.fn(),
    renewConsent: vi.fn(),
    resolveConflict: vi.fn(),
    conflictCount: vi.fn(() => Promise.resolve({ status: "ok", data: 0 })),
  },
  events: { syncStatusChanged: { listen: () => Promise.resolve(() => {}) } },
}));

vi.mock("../components/NewFamilyDialog", () => ({
  // The dialog is tested with its own component; here only its contract matters.
  NewFamilyDialog: (p: { open: boolean; lab: string; onRegistered: (r: { id: string; code: string }) => void }) =>
    p.open ? (
      <button type="button" data-lab={p.lab} onClick={() => p.onRegistered({ id: "0190b000-0000-7000-8000-00000000000a", code: "PV01-0001" })}>
        fake-register
      </button>
    ) : null,
}));

import { commands } from "../bindings";

const api = vi.mocked(commands);

const A = "0190b000-0000-7000-8000-00000000000a";
const B = "0190b000-0000-7000-8000-00000000000b";
const C = "0190b000-0000-7000-8000-00000000000c";

/** The lab's operator who collects the records. */
const OLGA = {
  id: "p1",
  code: "PV01-0003",
  first_name: "Olga",
  last_name: "Ferri",
  role: "operator" as const,
  organisation: "",
  phone: "",
  email: "",
  labs: [LAB_1],
};

function household(id: string, code: string, names: [string, string, number | null][], extra: Partial<Household> = {}): Household {
  const members = names.map(([first, last, year], i) => ({
    id: `${id}-m${i}`,
    first_name: first,
    last_name: last,
    birth_year: year,
  }));
  return {
    id,
    code,
    lab: LAB_1,
    reference: members[0]?.id ?? null,
    members,
    contacts: { phone: "0382 123456", email: "", address: "" },
    areas: ["economic"],
    referral: null,
    consent: null,
    withdrawals: [],
    restriction: null,
    legal_status: "missing",
    pathways: [],
    merged_into: null,
    merge_confirmed: false,
    created_at: "2026-03-02T09:00:00Z",
    ...extra,
  };
}

const hit = (h: Household): HouseholdHit => ({
  id: h.id,
  code: h.code,
  lab: h.lab,
  names: h.members.map((m) => `${m.first_name} ${m.last_name}`).join(", "),
  merged_into: h.merged_into,
});

/**
 * A tiny fake of the Rust side's merge rules: B is a likely duplicate of A
 * until it is merged into A; undo makes it one again; confirm is final.
 */
function fakeRegister() {
  const families = new Map<string, Household>([
    [A, household(A, "PV01-0001", [["Nicolò", "Bianchi", 1980], ["Sara", "Bianchi", 2015]])],
    [B, household(B, "PV01-0007", [["Nicolo", "Bianchi", 1980]])],
  ]);
  const detail = (id: string): FamilyDetail => {
    const h = families.get(id);
    if (!h) throw new Error(`no family ${id}`);
    const duplicates = [...families.values()]
      .filter((o) => o.id !== id && o.merged_into === null && id === A)
      .map(hit);
    return {
      household: h,
      attendance: [
        { meeting: "m1", lab: LAB_1, date: "2026-03-05", activity: "open_lab", member: h.members[0]?.id ?? "", recorded_for: id },
        { meeting: "m1", lab: LAB_1, date: "2026-03-05", activity: "open_lab", member: h.members[1]?.id ?? "x", recorded_for: id },
        { meeting: "m2", lab: LAB_1, date: "2026-04-02", activity: "family_tutoring", member: h.members[0]?.id ?? "", recorded_for: id },
      ],
      duplicates,
      conflicts: [],
    };
  };
  api.getFamily.mockImplementation((id) => ok(detail(id)));
  api.mergeFamilies.mockImplementation((loser, winner) => {
    const l = families.get(loser);
    if (!l) return fail({ kind: "not_found", what: "household" });
    families.set(loser, { ...l, merged_into: winner });
    return ok(null);
  });
  api.undoMerge.mockImplementation((loser) => {
    const l = families.get(loser);
    if (!l?.merged_into || l.merge_confirmed) return fail({ kind: "merge", reason: "not merged" });
    families.set(loser, { ...l, merged_into: null });
    return ok(null);
  });
  api.confirmMerge.mockImplementation((loser) => {
    const l = families.get(loser);
    if (!l?.merged_into) return fail({ kind: "merge", reason: "not merged" });
    families.set(loser, { ...l, merge_confirmed: true });
    return ok(null);
  });
  return families;
}

beforeEach(() => {
  vi.resetAllMocks();
  api.listStaff.mockImplementation(() => ok([]));
});

describe("family search", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const typeInto = (box: HTMLElement, value: string) => fireEvent.input(box, { target: { value } });
  /** Lets the mocked commands' promises settle (timers are fake: no waitFor here). */
  const settle = () =>
    act(async () => {
      for (let i = 0; i < 10; i++) await Promise.resolve();
    });

  it("shows a hint for an empty query and asks nothing", () => {
    renderScreen(<Families />);
    expect(screen.getByTestId("screen-families")).toBeTruthy();
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Famiglie");
    expect(screen.getByTestId("family-search-status").textContent).toContain("Scrivi un cognome");
    const box = screen.getByRole("searchbox", { name: "Cerca una famiglia" });
    typeInto(box, "   ");
    act(() => {
      vi.advanceTimersByTime(SEARCH_DELAY_MS);
    });
    expect(api.searchFamilies).not.toHaveBeenCalled();
  });

  it("debounces typing, then lists code and names, and says where merged ones went", async () => {
    const a = household(A, "PV01-0001", [["Nicolò", "Bianchi", 1980]]);
    const b = household(B, "PV01-0007", [["Nicolo", "Bianchi", 1980]], { merged_into: A });
    const c = household(C, "PV03-0002", [["Anna", "Bianchini", null]], { merged_into: "0190b000-0000-7000-8000-0000000000ff" });
    api.searchFamilies.mockImplementation(() => ok([hit(a), hit(b), hit(c)]));
    api.getFamily.mockImplementation(() =>
      ok({
        household: household("0190b000-0000-7000-8000-0000000000ff", "PV03-0099", [["Luca", "Verdi", null]]),
        attendance: [],
        duplicates: [],
        conflicts: [],
      }),
    );
    renderScreen(<Families />);
    const box = screen.getByRole("searchbox", { name: "Cerca una famiglia" });

    typeInto(box, "bi");
    act(() => {
      vi.advanceTimersByTime(SEARCH_DELAY_MS - 10);
    });
    typeInto(box, "bian");
    act(() => {
      vi.advanceTimersByTime(SEARCH_DELAY_MS - 1);
    });
    expect(api.searchFamilies).not.toHaveBeenCalled();
    await act(async () => {
      vi.advanceTimersByTime(1);
    });
    expect(api.searchFamilies).toHaveBeenCalledTimes(1);
    expect(api.searchFamilies).toHaveBeenCalledWith("bian", SEARCH_LIMIT);

    await settle();
    const results = screen.getAllByTestId("family-result");
    expect(results).toHaveLength(3);
    expect(results[0]?.textContent).toContain("PV01-0001");
    expect(results[0]?.textContent).toContain("Nicolò Bianchi");
    expect(results[0]?.textContent).not.toContain("unita a");
    // The family it went into is in the list: its code is known at once.
    expect(results[1]?.textContent).toContain("unita a PV01-0001");
    // Not in the list: looked up.
    await settle();
    expect(results[2]?.textContent).toContain("unita a PV03-0099");
    expect(api.getFamily).toHaveBeenCalledTimes(1);
    expect(screen.getByTestId("family-search-status").textContent).toBe("3 risultati");
  });

  it("says when nothing matches", async () => {
    api.searchFamilies.mockImplementation(() => ok([]));
    renderScreen(<Families />);
    const box = screen.getByRole("searchbox", { name: "Cerca una famiglia" });
    typeInto(box, "zzz");
    await act(async () => {
      vi.advanceTimersByTime(SEARCH_DELAY_MS);
    });
    await settle();
    expect(screen.getByTestId("family-search-status").textContent).toBe("Nessuna famiglia trovata per «zzz».");
    expect(screen.queryAllByTestId("family-result")).toHaveLength(0);
  });

  it("drops an answer that arrives after a newer one", async () => {
    let answerOld: (v: HouseholdHit[]) => void = () => {};
    const a = household(A, "PV01-0001", [["Nicolò", "Bianchi", 1980]]);
    const b = household(B, "PV01-0007", [["Rosa", "Rossi", 1980]]);
    api.searchFamilies
      .mockImplementationOnce(
        () => new Promise((resolve) => (answerOld = (data) => resolve({ status: "ok", data }))),
      )
      .mockImplementationOnce(() => ok([hit(b)]));
    renderScreen(<Families />);
    const box = screen.getByRole("searchbox", { name: "Cerca una famiglia" });
    typeInto(box, "bia");
    await act(async () => {
      vi.advanceTimersByTime(SEARCH_DELAY_MS);
    });
    typeInto(box, "ross");
    await act(async () => {
      vi.advanceTimersByTime(SEARCH_DELAY_MS);
    });
    await settle();
    await act(async () => answerOld([hit(a)]));
    await settle();
    const results = screen.getAllByTestId("family-result");
    expect(results).toHaveLength(1);
    expect(results[0]?.textContent).toContain("Rosa Rossi");
  });

  it("a fast typist's burst sends at most two searches and shows only the newest answer", async () => {
    const answers: ((v: HouseholdHit[]) => void)[] = [];
    api.searchFamilies.mockImplementation(
      () => new Promise((resolve) => answers.push((data) => resolve({ status: "ok", data }))),
    );
    const a = household(A, "PV01-0001", [["Rosa", "Ricci", 1980]]);
    const b = household(B, "PV01-0007", [["Rosa", "Rossi", 1980]]);
    renderScreen(<Families />);
    const box = screen.getByRole("searchbox", { name: "Cerca una famiglia" });
    // A keystroke every 40 ms: each one outlasts the debounce, and the store
    // has not answered the first search yet.
    for (const q of ["r", "ro", "ros", "ross", "rossi"]) {
      typeInto(box, q);
      await act(async () => {
        vi.advanceTimersByTime(40);
      });
    }
    expect(api.searchFamilies.mock.calls.map((c) => c[0])).toEqual(["r"]);
    await act(async () => answers[0]?.([hit(a), hit(b)]));
    await settle();
    // "r"'s answer is dropped; only the newest query went next.
    expect(api.searchFamilies.mock.calls.map((c) => c[0])).toEqual(["r", "rossi"]);
    expect(screen.queryAllByTestId("family-result")).toHaveLength(0);
    await act(async () => answers[1]?.([hit(b)]));
    await settle();
    const results = screen.getAllByTestId("family-result");
    expect(results).toHaveLength(1);
    expect(results[0]?.textContent).toContain("Rosa Rossi");
    expect(api.searchFamilies).toHaveBeenCalledTimes(2);
  });

  it("moves between results with the arrow keys and opens one with Enter", async () => {
    const a = household(A, "PV01-0001", [["Nicolò", "Bianchi", 1980]]);
    const b = household(B, "PV01-0007", [["Nicolo", "Bianchi", 1980]]);
    api.searchFamilies.mockImplementation(() => ok([hit(a), hit(b)]));
    api.getFamily.mockImplementation(() => ok({ household: b, attendance: [], duplicates: [], conflicts: [] }));
    renderScreen(<Families />);
    const box = screen.getByRole("searchbox", { name: "Cerca una famiglia" });
    box.focus();
    typeInto(box, "bianchi");
    await act(async () => {
      vi.advanceTimersByTime(SEARCH_DELAY_MS);
    });
    await settle();
    const results = screen.getAllByTestId("family-result");
    fireEvent.keyDown(box, { key: "ArrowDown" });
    expect(document.activeElement).toBe(results[0]);
    fireEvent.keyDown(results[0] as HTMLElement, { key: "ArrowDown" });
    expect(document.activeElement).toBe(results[1]);
    fireEvent.keyDown(results[1] as HTMLElement, { key: "ArrowDown" });
    expect(document.activeElement).toBe(results[1]);
    fireEvent.keyDown(results[1] as HTMLElement, { key: "ArrowUp" });
    expect(document.activeElement).toBe(results[0]);
    fireEvent.keyDown(results[0] as HTMLElement, { key: "ArrowUp" });
    expect(document.activeElement).toBe(box);
    // A result is a button: Enter activates it (a click, as in the browser).
    fireEvent.click(results[1] as HTMLElement);
    await settle();
    expect(screen.getByTestId("family-page")).toBeTruthy();
    expect(api.getFamily).toHaveBeenCalledWith(B);
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Famiglia PV01-0007");
    expect(document.activeElement).toBe(screen.getByRole("heading", { level: 1 }));
    // Back to the search: the results are still there, focus on the one opened.
    fireEvent.click(screen.getByRole("button", { name: /Torna alla ricerca/ }));
    const again = screen.getAllByTestId("family-result");
    expect(again).toHaveLength(2);
    expect(document.activeElement).toBe(again[1]);
  });
});

describe("registering", () => {
  it("opens the shared dialog for the current lab, then the new family's page", async () => {
    fakeRegister();
    renderScreen(<Families />);
    expect(screen.queryByText("fake-register")).toBeNull();
    fireEvent.click(screen.getByTestId("register-family"));
    const fake = screen.getByText("fake-register");
    expect(fake.getAttribute("data-lab")).toBe(LAB_1);
    fireEvent.click(fake);
    await waitFor(() => expect(screen.getByTestId("family-page").dataset.loaded).toBe("true"));
    expect(api.getFamily).toHaveBeenCalledWith(A);
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Famiglia PV01-0001");
  });
});

describe("family page", () => {
  async function openA() {
    fakeRegister();
    api.searchFamilies.mockImplementation(() => ok([hit(household(A, "PV01-0001", [["Nicolò", "Bianchi", 1980]]))]));
    renderScreen(<Families />);
    const box = screen.getByRole("searchbox", { name: "Cerca una famiglia" });
    fireEvent.input(box, { target: { value: "PV01-0001" } });
    fireEvent.keyDown(box, { key: "Enter" });
    fireEvent.click((await screen.findAllByTestId("family-result"))[0] as HTMLElement);
    await waitFor(() => expect(screen.getByTestId("family-page").dataset.loaded).toBe("true"));
  }

  it("shows members with the minor badge, the missing consent and the attendance", async () => {
    await openA();
    const page = screen.getByTestId("family-page");
    const rows = within(page).getAllByRole("row");
    const sara = rows.find((r) => r.textContent?.includes("Sara Bianchi"));
    expect(sara?.textContent).toContain("minore");
    const nicolo = rows.find((r) => r.textContent?.includes("Nicolò Bianchi"));
    expect(nicolo?.textContent).not.toContain("minore");
    expect(nicolo?.textContent).toContain("persona di riferimento");
    expect(screen.getByTestId("consent-missing").textContent).toContain("Consenso non registrato");
    // Three entries, two meetings.
    expect(screen.getByTestId("attendance-count").textContent).toBe("2 incontri · 3 presenze");
    const history = within(screen.getByTestId("attendance")).getAllByRole("row");
    expect(history[1]?.textContent).toContain("02/04/2026");
    expect(history[1]?.textContent).toContain("Tutoraggio familiare");
    expect(history[2]?.textContent).toContain("Nicolò Bianchi, Sara Bianchi");
  });

  it("shows the legal basis record, records a withdrawal, and marks a restricted family", async () => {
    api.listStaff.mockImplementation(() => ok([OLGA]));
    let h = household(A, "PV01-0001", [["Nicolò", "Bianchi", 1980], ["Sara", "Bianchi", 2015]], {
      consent: {
        basis: "public_task",
        special: "social_protection",
        notice_version: "2026-01",
        date: "2026-03-02",
        collected_by: "p1",
        guardian: { kind: "member", member: `${A}-m0` },
        scopes: ["photos"],
      },
      legal_status: "valid",
    });
    api.getFamily.mockImplementation(() => ok({ household: h, attendance: [], duplicates: [], conflicts: [] }));
    api.searchFamilies.mockImplementation(() => ok([hit(h)]));
    api.withdrawConsent.mockImplementation(() => {
      h = {
        ...h,
        withdrawals: [{ date: "2026-11-25", scopes: ["data_processing", "photos", "contact"], recorded_by: "p1", at: "2026-11-25T10:00:00Z" }],
        legal_status: "pending_decision",
      };
      return ok("pending_decision" as const);
    });
    renderScreen(<Families />);
    const box = screen.getByRole("searchbox", { name: "Cerca una famiglia" });
    fireEvent.input(box, { target: { value: "PV01-0001" } });
    fireEvent.keyDown(box, { key: "Enter" });
    fireEvent.click((await screen.findAllByTestId("family-result"))[0] as HTMLElement);
    await waitFor(() => expect(screen.getByTestId("consent").textContent).toContain("Olga Ferri"));
    const record = screen.getByTestId("consent").textContent ?? "";
    expect(record).toContain("Compito di interesse pubblico");
    expect(record).toContain("Protezione sociale (art. 9.2.b)");
    expect(record).toContain("02/03/2026");
    expect(record).toContain("Nicolò Bianchi");
    expect(screen.queryByTestId("restricted-badge")).toBeNull();

    fireEvent.click(screen.getByTestId("consent-withdraw"));
    const dialog = screen.getByRole("dialog", { name: "Revoca del consenso" });
    // Who records it is required.
    fireEvent.click(within(dialog).getByTestId("withdraw-save"));
    expect(dialog.textContent).toContain("Indica chi registra la revoca.");
    expect(api.withdrawConsent).not.toHaveBeenCalled();
    fireEvent.change(within(dialog).getByTestId("withdraw-by"), { target: { value: "p1" } });
    fireEvent.click(within(dialog).getByTestId("withdraw-save"));
    await waitFor(() => expect(screen.getByTestId("consent-pending")).toBeTruthy());
    expect(api.withdrawConsent).toHaveBeenCalledWith(A, { kind: "all" }, "2026-11-25", "p1");
    expect(screen.getByTestId("withdrawals").textContent).toContain("25/11/2026");
    expect(screen.queryByTestId("consent-withdraw")).toBeNull();
  });

  it("chooses one of two values entered on two computers, with the queue's command", async () => {
    const h = household(A, "PV01-0001", [["Nicolò", "Bianchi", 1980]]);
    const conflict = {
      path: "contacts.phone",
      values: [
        { id: "12@aa", text: "+39 347 551 020", device: null, person: null, at: null },
        { id: "9@bb", text: "+39 347 551 021", device: null, person: null, at: null },
      ],
    };
    let conflicts = [conflict];
    api.getFamily.mockImplementation(() => ok({ household: h, attendance: [], duplicates: [], conflicts }));
    api.searchFamilies.mockImplementation(() => ok([hit(h)]));
    api.resolveConflict.mockImplementation(() => {
      conflicts = [];
      return ok(null);
    });
    renderScreen(<Families />);
    const box = screen.getByRole("searchbox", { name: "Cerca una famiglia" });
    fireEvent.input(box, { target: { value: "PV01-0001" } });
    fireEvent.keyDown(box, { key: "Enter" });
    fireEvent.click((await screen.findAllByTestId("family-result"))[0] as HTMLElement);
    const notice = await screen.findByTestId("family-conflicts");
    expect(notice.textContent).toContain("«+39 347 551 020» (quello mostrato)");
    const choose = within(notice).getAllByTestId("family-conflict-choose");
    expect(choose).toHaveLength(2);
    fireEvent.click(choose[1] as HTMLElement);
    await waitFor(() => expect(screen.queryByTestId("family-conflicts")).toBeNull());
    expect(api.resolveConflict).toHaveBeenCalledWith({ kind: "household", id: A }, "contacts.phone", "9@bb");
  });

  it("shows the Limitata badge on a restricted family", async () => {
    const h = household(A, "PV01-0001", [["Nicolò", "Bianchi", 1980]], {
      restriction: { reason: "objection", at: "2026-11-20T10:00:00Z", by: null },
      legal_status: "restricted",
    });
    api.getFamily.mockImplementation(() => ok({ household: h, attendance: [], duplicates: [], conflicts: [] }));
    api.searchFamilies.mockImplementation(() => ok([hit(h)]));
    renderScreen(<Families />);
    const box = screen.getByRole("searchbox", { name: "Cerca una famiglia" });
    fireEvent.input(box, { target: { value: "PV01-0001" } });
    fireEvent.keyDown(box, { key: "Enter" });
    fireEvent.click((await screen.findAllByTestId("family-result"))[0] as HTMLElement);
    await waitFor(() => expect(screen.getByTestId("restricted-badge").textContent).toBe("Limitata"));
    expect(screen.getByTestId("restricted-notice").textContent).toContain("Trattamento limitato (art. 18 GDPR)");
  });

  it("asks for a guardian before a child joins, and renews the record with one", async () => {
    api.listStaff.mockImplementation(() => ok([OLGA]));
    let h = household(A, "PV01-0001", [["Nicolò", "Bianchi", 1980]], {
      consent: {
        basis: "consent",
        special: null,
        notice_version: "2026-01",
        date: "2026-03-02",
        collected_by: "p1",
        guardian: null,
        scopes: ["data_processing", "photos"],
      },
      legal_status: "valid",
    });
    api.getFamily.mockImplementation(() => ok({ household: h, attendance: [], duplicates: [], conflicts: [] }));
    api.searchFamilies.mockImplementation(() => ok([hit(h)]));
    api.renewConsent.mockImplementation((_id, consent) => {
      h = { ...h, consent: { ...consent, scopes: ["data_processing", ...consent.scopes] } };
      return ok("valid" as const);
    });
    api.addMember.mockImplementation(() => ok("m-new"));
    renderScreen(<Families />, sessionFixture({ operator: OLGA }));
    const box = screen.getByRole("searchbox", { name: "Cerca una famiglia" });
    fireEvent.input(box, { target: { value: "PV01-0001" } });
    fireEvent.keyDown(box, { key: "Enter" });
    fireEvent.click((await screen.findAllByTestId("family-result"))[0] as HTMLElement);
    await waitFor(() => expect(screen.getByTestId("family-page").dataset.loaded).toBe("true"));

    // A child: refused before anything is sent, with what to do.
    fireEvent.click(screen.getByRole("button", { name: "Aggiungi un componente" }));
    const form = screen.getByRole("form", { name: "Nuovo componente" });
    fireEvent.input(within(form).getByRole("textbox", { name: /^Nome/ }), { target: { value: "Teo" } });
    fireEvent.input(within(form).getByRole("textbox", { name: /^Cognome/ }), { target: { value: "Bianchi" } });
    fireEvent.input(within(form).getByRole("textbox", { name: /^Anno di nascita/ }), { target: { value: "2019" } });
    fireEvent.click(within(form).getByRole("button", { name: "Aggiungi" }));
    await flush();
    expect(api.addMember).not.toHaveBeenCalled();
    expect(form.textContent).toContain("prima registra un nuovo consenso");

    // Renew: prefilled from the record, dated today, collected by the operator.
    fireEvent.click(screen.getByTestId("consent-renew"));
    const dialog = screen.getByRole("dialog", { name: "Nuovo consenso della famiglia" });
    const field = (id: string) => within(dialog).getByTestId(id) as HTMLInputElement;
    expect(field("renew-consent-basis").value).toBe("consent");
    expect(field("renew-consent-consent-date").value).toBe("2026-11-25");
    expect(field("renew-consent-collected-by").value).toBe("p1");
    expect(field("renew-consent-photos").checked).toBe(true);
    // Backdated before the current record: refused on the date.
    fireEvent.input(field("renew-consent-consent-date"), { target: { value: "2026-01-10" } });
    fireEvent.click(within(dialog).getByTestId("renew-consent-save"));
    expect(dialog.textContent).toContain("La data non può precedere quella del consenso attuale.");
    expect(api.renewConsent).not.toHaveBeenCalled();
    fireEvent.input(field("renew-consent-consent-date"), { target: { value: "2026-11-20" } });
    fireEvent.input(field("renew-consent-notice"), { target: { value: "2026-09" } });
    fireEvent.change(field("renew-consent-guardian"), { target: { value: `${A}-m0` } });
    fireEvent.click(within(dialog).getByTestId("renew-consent-save"));
    await waitFor(() => expect(api.renewConsent).toHaveBeenCalled());
    expect(api.renewConsent).toHaveBeenCalledWith(A, {
      basis: "consent",
      special: null,
      notice_version: "2026-09",
      date: "2026-11-20",
      collected_by: "p1",
      guardian: { kind: "member", member: `${A}-m0` },
      scopes: ["photos"],
    });
    await waitFor(() => expect(screen.queryByRole("dialog", { name: "Nuovo consenso della famiglia" })).toBeNull());
    expect(document.body.textContent).toContain("Nuovo consenso registrato.");
    expect(screen.getByTestId("consent").textContent).toContain("20/11/2026");
    expect(screen.getByTestId("consent").textContent).toContain("Genitore o tutore");

    // Now the child joins.
    fireEvent.click(within(form).getByRole("button", { name: "Aggiungi" }));
    await waitFor(() => expect(api.addMember).toHaveBeenCalledWith(A, { first_name: "Teo", last_name: "Bianchi", birth_year: 2019 }));
  });

  it("merges a duplicate, which then waits; undo proposes it again", async () => {
    await openA();
    const items = screen.getAllByTestId("duplicate-item");
    expect(items).toHaveLength(1);
    expect(items[0]?.textContent).toContain("PV01-0007");
    expect(items[0]?.textContent).toContain("Nicolo Bianchi");

    fireEvent.click(within(items[0] as HTMLElement).getByTestId("merge-into-this"));
    const pending = await screen.findByTestId("merge-pending");
    expect(api.mergeFamilies).toHaveBeenCalledWith(B, A);
    expect(pending.textContent).toContain("PV01-0007 è stata unita a questa famiglia");
    expect(pending.textContent).toContain("puoi annullarla");
    await waitFor(() => expect(screen.queryAllByTestId("duplicate-item")).toHaveLength(0));
    // Focus moved to the notice that replaced the button.
    expect(pending.contains(document.activeElement)).toBe(true);

    const undo = within(pending).getByTestId("merge-undo");
    await waitFor(() => expect(undo.getAttribute("aria-busy")).toBeNull());
    fireEvent.click(undo);
    await waitFor(() => expect(screen.queryByTestId("merge-pending")).toBeNull());
    expect(api.undoMerge).toHaveBeenCalledWith(B);
    const back = await screen.findAllByTestId("duplicate-item");
    expect(back).toHaveLength(1);
    expect(back[0]?.textContent).toContain("PV01-0007");
    expect(screen.queryByTestId("merge-confirmed")).toBeNull();
  });

  it("merges and confirms", async () => {
    await openA();
    fireEvent.click(screen.getByTestId("merge-into-this"));
    const pending = await screen.findByTestId("merge-pending");
    const confirm = within(pending).getByTestId("merge-confirm");
    // Busy until the page has reloaded: a click then is ignored.
    await waitFor(() => expect(confirm.getAttribute("aria-busy")).toBeNull());
    fireEvent.click(confirm);
    const confirmed = await screen.findByTestId("merge-confirmed");
    expect(api.confirmMerge).toHaveBeenCalledWith(B);
    expect(confirmed.textContent).toContain("Unione confermata: PV01-0007");
    expect(screen.queryByTestId("merge-pending")).toBeNull();
    expect(screen.queryAllByTestId("duplicate-item")).toHaveLength(0);
    expect(api.undoMerge).not.toHaveBeenCalled();
  });

  it("keeps the duplicate when the merge is refused, and says why", async () => {
    await openA();
    api.mergeFamilies.mockImplementation(() => fail({ kind: "merge", reason: "already merged for good" }));
    fireEvent.click(screen.getByTestId("merge-into-this"));
    await waitFor(() =>
      expect(screen.getByRole("alert").textContent).toContain("Non è possibile unire queste due famiglie."),
    );
    expect(screen.queryByTestId("merge-pending")).toBeNull();
    expect(screen.getAllByTestId("duplicate-item")).toHaveLength(1);
  });

  it("on a merged family's page, says where it went and offers undo while unconfirmed", async () => {
    const families = fakeRegister();
    const b = families.get(B);
    if (b) families.set(B, { ...b, merged_into: A });
    api.searchFamilies.mockImplementation(() => ok([hit(families.get(B) as Household)]));
    renderScreen(<Families />);
    const box = screen.getByRole("searchbox", { name: "Cerca una famiglia" });
    fireEvent.input(box, { target: { value: "PV01-0007" } });
    fireEvent.keyDown(box, { key: "Enter" });
    fireEvent.click((await screen.findAllByTestId("family-result"))[0] as HTMLElement);
    const notice = await screen.findByTestId("merge-pending");
    await waitFor(() => expect(notice.textContent).toContain("Questa famiglia è stata unita a PV01-0001"));
    fireEvent.click(within(notice).getByTestId("merge-undo"));
    await waitFor(() => expect(api.undoMerge).toHaveBeenCalledWith(B));
    await waitFor(() => expect(screen.queryByTestId("merge-pending")).toBeNull());
  });
});
