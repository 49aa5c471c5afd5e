import { fireEvent, screen, within } from "@testing-library/preact";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { PendingDecisions, RetentionDue, TrailAction, TrailEntry } from "../bindings";
import { LAB_1, LAB_2, fail, flush, ok, renderScreen, rightsOf, sessionFixture } from "../components/testing";
import { setLanguage, translatorFor } from "../i18n";
import { FamilyTrail } from "./families/FamilyTrail";
import { Privacy } from "./Privacy";
import { policyProblem } from "./privacy/RetentionForm";
import { TRAIL_ACTIONS, newestFirst, privacyRight } from "./privacy/trail";

vi.mock("../bindings", () => ({
  commands: {
    privacySettings: vi.fn(),
    setPrivacySettings: vi.fn(),
    retentionDue: vi.fn(),
    eraseDue: vi.fn(),
    auditTrail: vi.fn(),
    exportAuditTrail: vi.fn(),
    pendingDecisions: vi.fn(),
  },
}));

vi.mock("./families/FamilyPage", () => ({
  // The family's page is tested with Famiglie; here only its contract matters.
  FamilyPage: (p: { id: string; onBack: () => void }) => (
    <div data-testid="family-page-stub" data-id={p.id}>
      <button type="button" onClick={p.onBack}>
        back
      </button>
    </div>
  ),
}));

import { commands } from "../bindings";

const api = vi.mocked(commands);

const H1 = "0190b000-0000-7000-8000-000000000001";
const H2 = "0190b000-0000-7000-8000-000000000002";
const H3 = "0190b000-0000-7000-8000-000000000003";
const DEVICE = "d3adbeef-0000-7000-8000-0000000000aa";

const due: RetentionDue[] = [
  {
    household: H1,
    code: "PV01-0001",
    lab: LAB_1,
    last_activity: "2020-03-14",
    years_inactive: 6,
    merged: ["PV01-0009"],
    unconfirmed_merge: false,
  },
  {
    household: H2,
    code: "PV03-0002",
    lab: LAB_2,
    last_activity: "2019-11-02",
    years_inactive: 7,
    merged: [],
    unconfirmed_merge: true,
  },
  {
    household: H3,
    code: "PV01-0003",
    lab: LAB_1,
    last_activity: "2021-01-20",
    years_inactive: 5,
    merged: [],
    unconfirmed_merge: false,
  },
];

function entry(action: TrailAction, at: string, patch: Partial<TrailEntry> = {}): TrailEntry {
  return {
    at,
    device: DEVICE,
    person: null,
    action,
    doc: null,
    lab: LAB_1,
    household: H1,
    code: "PV01-0001",
    fields: [],
    detail: null,
    ...patch,
  };
}

/** As the Rust side sends it: oldest first. */
const trail: TrailEntry[] = [
  entry("created", "2026-03-02T09:00:00Z", { fields: ["households"] }),
  entry("changed", "2026-06-10T14:05:00Z", { fields: ["contacts", "members"] }),
  entry("attendance", "2026-07-01T16:00:00Z", { fields: ["m1", "m2"] }),
  entry("erasure_requested", "2026-11-24T08:30:00Z", { detail: "withdrawal" }),
];

function setup() {
  api.privacySettings.mockReturnValue(ok({ inactive_years: 5, stale_device_days: 30, volunteer_years: 5 }));
  api.setPrivacySettings.mockReturnValue(ok(null));
  api.retentionDue.mockReturnValue(ok(due));
  api.auditTrail.mockReturnValue(ok(trail));
  api.pendingDecisions.mockReturnValue(ok({ erasure_requests: [], withdrawn: [] }));
}

async function open(role: "coordinator" | "lead" | "volunteer" | null = "coordinator") {
  renderScreen(<Privacy />, sessionFixture({ role, rights: rightsOf(role) }));
  await flush();
}

beforeEach(() => {
  vi.resetAllMocks();
  setLanguage("it");
  setup();
});

describe("who sees what", () => {
  it("gives coordinators and the demo register everything, leads the trail, others nothing", async () => {
    expect(privacyRight(rightsOf("coordinator"))).toBe("all");
    expect(privacyRight(rightsOf(null))).toBe("all");
    expect(privacyRight(rightsOf("lead"))).toBe("trail");
    expect(privacyRight(rightsOf("volunteer"))).toBe("none");
    expect(privacyRight(rightsOf("operator"))).toBe("none");
    expect(privacyRight(["decide_privacy"])).toBe("all");
    expect(privacyRight(["change_project_settings"])).toBe("none");

    await open("lead");
    expect(screen.queryByTestId("privacy-policy")).toBeNull();
    expect(screen.queryByTestId("privacy-due")).toBeNull();
    expect(screen.getByTestId("privacy-trail")).toBeTruthy();
    expect(api.retentionDue).not.toHaveBeenCalled();
    expect(api.privacySettings).not.toHaveBeenCalled();
    expect(api.pendingDecisions).not.toHaveBeenCalled();
    expect(screen.queryByTestId("privacy-decisions")).toBeNull();
  });

  it("hides the section from a volunteer, here and on a family's page", async () => {
    await open("volunteer");
    expect(screen.getByRole("heading", { level: 1, name: "Riservatezza" })).toBeTruthy();
    expect(screen.getByTestId("privacy-not-allowed")).toBeTruthy();
    expect(screen.queryByTestId("privacy-trail")).toBeNull();
    renderScreen(<FamilyTrail id={H1} />, sessionFixture({ role: "volunteer", rights: rightsOf("volunteer") }));
    await flush();
    expect(screen.queryByTestId("family-trail")).toBeNull();
    expect(api.auditTrail).not.toHaveBeenCalled();
    expect(api.retentionDue).not.toHaveBeenCalled();
  });

  it("follows the rights the shell sent, never the role", async () => {
    // A lead's laptop whose rights say nothing sees nothing, here or on a family's page.
    let view = renderScreen(<Privacy />, sessionFixture({ role: "lead", rights: [] }));
    await flush();
    expect(screen.getByTestId("privacy-not-allowed")).toBeTruthy();
    expect(screen.queryByTestId("privacy-trail")).toBeNull();
    view.unmount();
    view = renderScreen(<FamilyTrail id={H1} />, sessionFixture({ role: "coordinator", rights: [] }));
    await flush();
    expect(screen.queryByTestId("family-trail")).toBeNull();
    expect(api.auditTrail).not.toHaveBeenCalled();
    view.unmount();

    // A volunteer's laptop given each right alone gets exactly its part.
    const parts = ["privacy-decisions", "privacy-policy", "privacy-due", "privacy-trail"] as const;
    const cases = [
      [["decide_privacy"], ["privacy-decisions", "privacy-due"]],
      [["change_project_settings"], ["privacy-policy"]],
      [["read_audit_trail"], ["privacy-trail"]],
    ] as const;
    for (const [rights, shown] of cases) {
      view = renderScreen(<Privacy />, sessionFixture({ role: "volunteer", rights: [...rights] }));
      await flush();
      expect(screen.queryByTestId("privacy-not-allowed")).toBeNull();
      expect(parts.filter((id) => screen.queryByTestId(id) !== null)).toEqual(shown);
      view.unmount();
    }
    view = renderScreen(<FamilyTrail id={H1} />, sessionFixture({ role: "volunteer", rights: ["read_audit_trail"] }));
    await flush();
    expect(screen.getByTestId("family-trail")).toBeTruthy();
  });
});

describe("what waits for a decision", () => {
  const pending: PendingDecisions = {
    erasure_requests: [
      {
        household: H2,
        lab: LAB_2,
        code: "PV03-0002",
        at: "2026-11-20T08:30:00Z",
        by_device: DEVICE,
        by_person: null,
        reason: "request",
      },
    ],
    withdrawn: [{ household: H1, code: "PV01-0001", lab: LAB_1, withdrawn_on: "2026-10-05", recorded_by: "p1" }],
  };

  it("lists the leads' erasure requests and the withdrawn families, oldest first", async () => {
    api.pendingDecisions.mockReturnValue(ok(pending));
    await open();
    const rows = within(screen.getByTestId("decisions-table")).getAllByTestId("decision-row");
    expect(rows.map((r) => r.querySelector("th")?.textContent)).toEqual(["PV01-0001", "PV03-0002"]);
    expect(rows[0]?.textContent).toContain("Consenso al trattamento revocato il 05/10/2026");
    expect(rows[0]?.textContent).toContain("Pavia Centro");
    expect(rows[1]?.textContent).toContain("Cancellazione chiesta il 20/11/2026 (Richiesta della famiglia (art. 17))");
    expect(rows[1]?.textContent).toContain("Pavia Ovest");
  });

  it("opens the family's page, and reads the list again on the way back", async () => {
    api.pendingDecisions.mockReturnValue(ok(pending));
    await open();
    fireEvent.click(screen.getByRole("button", { name: "Apri la scheda della famiglia PV03-0002" }));
    await flush();
    expect(screen.getByTestId("family-page-stub").dataset.id).toBe(H2);
    expect(screen.queryByTestId("privacy-decisions")).toBeNull();
    // Erased there: the list no longer has it.
    api.pendingDecisions.mockReturnValue(ok({ ...pending, erasure_requests: [] }));
    fireEvent.click(screen.getByRole("button", { name: "back" }));
    await flush();
    expect(api.pendingDecisions).toHaveBeenCalledTimes(2);
    expect(screen.getAllByTestId("decision-row")).toHaveLength(1);
  });

  it("says when there is nothing to decide, and shows a refusal", async () => {
    await open();
    expect(screen.getByTestId("decisions-empty").textContent).toBe("Niente da decidere.");
    vi.resetAllMocks();
    setup();
    api.pendingDecisions.mockReturnValue(fail({ kind: "forbidden", action: "pending_decisions" }));
    await open();
    expect(screen.getAllByTestId("privacy-decisions").at(-1)?.textContent).toContain("Riprova");
  });
});

describe("the retention policy", () => {
  const t = translatorFor("it");

  it("checks both numbers", () => {
    expect(policyProblem("inactive_years", "", t)).toBe("Scrivi un numero.");
    expect(policyProblem("inactive_years", "2,5", t)).toBe("Scrivi un numero intero, senza virgole né punti.");
    expect(policyProblem("inactive_years", "0", t)).toBe("Scrivi un numero tra 1 e 100.");
    expect(policyProblem("inactive_years", "101", t)).toBe("Scrivi un numero tra 1 e 100.");
    expect(policyProblem("inactive_years", " 100 ", t)).toBeUndefined();
    expect(policyProblem("stale_device_days", "3650", t)).toBeUndefined();
    expect(policyProblem("stale_device_days", "3651", t)).toBe("Scrivi un numero tra 1 e 3650.");
  });

  it("shows the policy, refuses a bad value with a message and focus, then saves", async () => {
    await open();
    const years = screen.getByLabelText(/Anni senza attività dopo i quali una famiglia va cancellata/) as HTMLInputElement;
    const days = screen.getByLabelText(/Giorni senza sincronizzare/) as HTMLInputElement;
    expect(years.value).toBe("5");
    expect(days.value).toBe("30");

    fireEvent.input(days, { target: { value: "0" } });
    fireEvent.click(screen.getByTestId("policy-save"));
    await flush();
    expect(api.setPrivacySettings).not.toHaveBeenCalled();
    expect(days.getAttribute("aria-invalid")).toBe("true");
    expect(document.activeElement).toBe(days);
    expect(screen.getByTestId("privacy-policy").textContent).toContain("Scrivi un numero tra 1 e 3650.");

    fireEvent.input(years, { target: { value: "7" } });
    fireEvent.input(days, { target: { value: "45" } });
    const volunteers = screen.getByLabelText(/Anni dopo la fine dell'attività/) as HTMLInputElement;
    expect(volunteers.value).toBe("5");
    fireEvent.input(volunteers, { target: { value: "10" } });
    fireEvent.click(screen.getByTestId("policy-save"));
    await flush();
    expect(api.setPrivacySettings).toHaveBeenCalledWith({ inactive_years: 7, stale_device_days: 45, volunteer_years: 10 });
    expect(days.getAttribute("aria-invalid")).toBeNull();
    expect(document.body.textContent).toContain("Politica di conservazione salvata.");
  });

  it("shows a refusal from the Rust side", async () => {
    api.setPrivacySettings.mockReturnValue(fail({ kind: "forbidden", action: "set_privacy_settings" }));
    await open();
    fireEvent.click(screen.getByTestId("policy-save"));
    await flush();
    expect(document.body.textContent).toContain("Il tuo ruolo non consente questa operazione");
  });
});

describe("families due for erasure", () => {
  it("lists them with lab, Italian date, years, duplicates and the merge warning", async () => {
    await open();
    const rows = screen.getAllByTestId("due-row");
    expect(rows).toHaveLength(3);
    expect(rows[0]?.textContent).toContain("PV01-0001");
    expect(rows[0]?.textContent).toContain("1 · Pavia Centro");
    expect(rows[0]?.textContent).toContain("14/03/2020");
    expect(rows[0]?.textContent).toContain("PV01-0009");
    expect(rows[1]?.textContent).toContain("3 · Pavia Ovest");
    expect(rows[1]?.textContent).toContain("Unione da confermare");
  });

  it("does not let a family with an unconfirmed merge be selected, not even with Seleziona tutte", async () => {
    await open();
    const blocked = screen.getByLabelText("Seleziona la famiglia PV03-0002") as HTMLInputElement;
    expect(blocked.disabled).toBe(true);
    expect(blocked.getAttribute("aria-describedby")).toBeTruthy();
    fireEvent.click(screen.getByLabelText("Seleziona tutte"));
    expect(blocked.checked).toBe(false);
    expect((screen.getByLabelText("Seleziona la famiglia PV01-0001") as HTMLInputElement).checked).toBe(true);
    expect((screen.getByLabelText("Seleziona la famiglia PV01-0003") as HTMLInputElement).checked).toBe(true);
    expect(screen.getByTestId("due-count").textContent).toBe("2 famiglie selezionate");
    fireEvent.click(screen.getByLabelText("Seleziona tutte"));
    expect(screen.getByTestId("due-count").textContent).toBe("0 famiglie selezionate");
  });

  it("asks for confirmation, then erases exactly the selected families and reloads", async () => {
    api.eraseDue.mockReturnValue(ok(["PV01-0003"]));
    await open();
    const erase = screen.getByTestId("due-erase") as HTMLButtonElement;
    expect(erase.disabled).toBe(true);
    fireEvent.click(screen.getByLabelText("Seleziona la famiglia PV01-0003"));
    fireEvent.click(screen.getByTestId("due-erase"));
    await flush();
    const step = screen.getByTestId("due-confirm-step");
    expect(step.textContent).toContain("Stai per cancellare 1 famiglia (PV01-0003)");
    expect(step.textContent).toContain("Non si può annullare.");
    expect(document.activeElement).toBe(within(step).getByTestId("due-cancel"));
    expect(api.eraseDue).not.toHaveBeenCalled();

    // Annulla: nothing happens, back to the button.
    fireEvent.click(within(step).getByTestId("due-cancel"));
    await flush();
    expect(screen.queryByTestId("due-confirm-step")).toBeNull();
    expect(document.activeElement).toBe(screen.getByTestId("due-erase"));
    expect(api.eraseDue).not.toHaveBeenCalled();

    fireEvent.click(screen.getByLabelText("Seleziona la famiglia PV01-0001"));
    fireEvent.click(screen.getByTestId("due-erase"));
    await flush();
    expect(screen.getByTestId("due-confirm-step").textContent).toContain("Stai per cancellare 2 famiglie (PV01-0001, PV01-0003)");
    api.retentionDue.mockReturnValue(ok([due[1]!]));
    fireEvent.click(screen.getByTestId("due-confirm"));
    await flush();
    expect(api.eraseDue).toHaveBeenCalledTimes(1);
    expect(api.eraseDue).toHaveBeenCalledWith([H1, H3]);
    expect(document.body.textContent).toContain("Famiglie cancellate: PV01-0003.");
    expect(api.retentionDue).toHaveBeenCalledTimes(2);
    expect(screen.getAllByTestId("due-row")).toHaveLength(1);
    expect(document.activeElement).toBe(screen.getByRole("heading", { level: 2, name: "Famiglie da cancellare" }));
  });

  it("shows not_due and reads the list again", async () => {
    api.eraseDue.mockReturnValue(fail({ kind: "not_due", code: "PV01-0001" }));
    await open();
    fireEvent.click(screen.getByLabelText("Seleziona la famiglia PV01-0001"));
    fireEvent.click(screen.getByTestId("due-erase"));
    await flush();
    api.retentionDue.mockReturnValue(ok([due[2]!]));
    fireEvent.click(screen.getByTestId("due-confirm"));
    await flush();
    expect(api.eraseDue).toHaveBeenCalledWith([H1]);
    expect(screen.getByRole("alert").textContent).toContain("La famiglia PV01-0001 non è più da cancellare");
    expect(api.retentionDue).toHaveBeenCalledTimes(2);
    const rows = screen.getAllByTestId("due-row");
    expect(rows).toHaveLength(1);
    expect(rows[0]?.textContent).toContain("PV01-0003");
    expect(screen.queryByTestId("due-confirm-step")).toBeNull();
    expect(screen.getByTestId("due-count").textContent).toBe("0 famiglie selezionate");
  });

  it("says when there is nothing to erase", async () => {
    api.retentionDue.mockReturnValue(ok([]));
    await open();
    expect(screen.getByTestId("due-empty").textContent).toBe(
      "Nessuna famiglia da cancellare secondo la politica attuale.",
    );
    expect(screen.queryByTestId("due-erase")).toBeNull();
  });
});

describe("the audit trail", () => {
  it("labels every action in both languages", () => {
    const it = translatorFor("it");
    const en = translatorFor("en");
    for (const key of Object.values(TRAIL_ACTIONS)) {
      expect(it(key)).not.toBe(key);
      expect(en(key)).not.toBe(key);
      expect(it(key)).not.toBe(en(key));
    }
  });

  it("orders newest first", () => {
    expect(newestFirst(trail).map((e) => e.action)).toEqual(["erasure_requested", "attendance", "changed", "created"]);
  });

  it("shows the lab's trail in Italian, newest first, in Rome's time", async () => {
    await open();
    expect(api.auditTrail).toHaveBeenCalledWith({ lab: LAB_1 });
    const rows = screen.getAllByTestId("trail-row");
    expect(rows.map((r) => r.querySelectorAll("td")[0]?.textContent)).toEqual([
      "Cancellazione richiesta",
      "Presenze segnate",
      "Scheda modificata",
      "Famiglia registrata",
    ]);
    // 08:30 UTC in November is 09:30 in Pavia; 14:05 UTC in June is 16:05.
    expect(rows[0]?.querySelector("th")?.textContent).toBe("24/11/2026 09:30");
    expect(rows[2]?.querySelector("th")?.textContent).toBe("10/06/2026 16:05");
    expect(rows[0]?.textContent).toContain("d3adbeef");
    expect(rows[0]?.textContent).not.toContain(DEVICE);
    expect(rows[0]?.textContent).toContain("Revoca del consenso");
    expect(rows[1]?.textContent).toContain("2 incontri");
    expect(rows[2]?.textContent).toContain("contatti, componenti");
    expect(rows[3]?.textContent).toContain("PV01-0001");
  });

  it("loads another lab's trail when picked", async () => {
    await open();
    fireEvent.change(screen.getByTestId("trail-lab"), { target: { value: LAB_2 } });
    await flush();
    expect(api.auditTrail).toHaveBeenLastCalledWith({ lab: LAB_2 });
  });

  it("exports the lab's trail for the DPO and says where", async () => {
    api.exportAuditTrail.mockReturnValue(ok({ paths: ["/home/coord/registro_attivita.csv"] }));
    await open("lead");
    fireEvent.click(screen.getByRole("button", { name: "Esporta per il DPO (CSV)" }));
    await flush();
    expect(api.exportAuditTrail).toHaveBeenCalledWith({ lab: LAB_1 });
    expect(document.body.textContent).toContain("Registro delle attività salvato in /home/coord/registro_attivita.csv.");
  });

  it("says nothing when the save dialog was closed", async () => {
    api.exportAuditTrail.mockReturnValue(ok(null));
    await open();
    fireEvent.click(screen.getByTestId("trail-export"));
    await flush();
    expect(api.exportAuditTrail).toHaveBeenCalledTimes(1);
    expect(document.body.textContent).not.toContain("salvato in");
    expect(screen.queryByRole("alert")?.textContent ?? "").toBe("");
  });

  it("shows a family's trail on its page, and exports that family's", async () => {
    api.exportAuditTrail.mockReturnValue(ok({ paths: ["/tmp/PV01-0001.csv"] }));
    renderScreen(<FamilyTrail id={H1} />);
    await flush();
    expect(api.auditTrail).toHaveBeenCalledWith({ household: H1 });
    const section = screen.getByTestId("family-trail");
    expect(within(section).getByRole("heading", { level: 2, name: "Registro delle attività" })).toBeTruthy();
    expect(within(section).getAllByTestId("trail-row")[0]?.textContent).toContain("Cancellazione richiesta");
    fireEvent.click(within(section).getByTestId("trail-export"));
    await flush();
    expect(api.exportAuditTrail).toHaveBeenCalledWith({ household: H1 });
    expect(document.body.textContent).toContain("/tmp/PV01-0001.csv");
  });

  it("speaks English too", async () => {
    setLanguage("en");
    renderScreen(<FamilyTrail id={H1} />, sessionFixture({ role: "lead", rights: rightsOf("lead"), settings: { language: "en" } }));
    await flush();
    expect(screen.getAllByTestId("trail-row")[0]?.textContent).toContain("Erasure requested");
    expect(screen.getByRole("button", { name: "Export for the DPO (CSV)" })).toBeTruthy();
  });
});
