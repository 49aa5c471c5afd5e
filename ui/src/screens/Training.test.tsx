import { fireEvent, screen, waitFor, within } from "@testing-library/preact";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Attendee, TrainingRegister } from "../bindings";
import { fail, ok, renderScreen, rightsOf, sessionFixture } from "../components/testing";
import { translatorFor } from "../i18n";
import { Training, durationText, newTrainingFrom, progressText, toMinutes } from "./Training";

vi.mock("../bindings", () => ({
  commands: {
    trainingRegister: vi.fn(),
    addTraining: vi.fn(),
    updateTraining: vi.fn(),
    setTrainingPresence: vi.fn(),
    recordTrainingTimes: vi.fn(),
    exportSignInSheet: vi.fn(),
    exportTrainingCertificate: vi.fn(),
  },
}));

import { commands } from "../bindings";

const api = vi.mocked(commands);
const t = translatorFor("it");

const P1 = "0190c000-0000-7000-8000-000000000001";
const P2 = "0190c000-0000-7000-8000-000000000002";
const S1 = "0190d000-0000-7000-8000-000000000001";

const NOTHING = { arrival: null, departure: null, minutes: null };

/** The whole session, as the Rust side reads an attendee with nothing recorded. */
function whole(person: string, minutes: number): Attendee {
  return { person, record: NOTHING, attended_minutes: minutes, share_percent: 100, completed: true };
}

function register(): TrainingRegister {
  return {
    threshold_hours: 20,
    sessions: [
      {
        id: S1,
        date: "2026-02-10",
        start: "09:00:00",
        title: "Ascolto attivo",
        minutes: 150,
        completion_percent: 80,
        // Giulia arrived at 09:30 of 09:00–11:30: 120 of 150 minutes, 80%.
        attendees: [
          {
            person: P1,
            record: { arrival: "09:30:00", departure: null, minutes: null },
            attended_minutes: 120,
            share_percent: 80,
            completed: true,
          },
        ],
      },
      {
        id: "s2",
        date: "2026-03-10",
        start: null,
        title: "Privacy",
        minutes: 45,
        completion_percent: 80,
        attendees: [
          whole(P1, 45),
          { person: P2, record: { ...NOTHING, minutes: 30 }, attended_minutes: 30, share_percent: 66, completed: false },
        ],
      },
    ],
    people: [
      {
        person: P1,
        code: "PV01-0100",
        name: "Giulia Neri",
        role: "operator",
        minutes: 1260,
        attended_minutes: 1260,
        sessions: 2,
        sessions_completed: 2,
        trained: true,
      },
      {
        person: P2,
        code: "PV01-0101",
        name: "Marco Gialli",
        role: "volunteer",
        minutes: 750,
        attended_minutes: 780,
        sessions: 1,
        sessions_completed: 0,
        trained: false,
      },
    ],
  };
}

beforeEach(() => {
  vi.resetAllMocks();
  api.trainingRegister.mockImplementation(() => ok(register()));
  api.addTraining.mockImplementation(() => ok("new-id"));
  api.setTrainingPresence.mockImplementation(() => ok(null));
  api.updateTraining.mockImplementation(() => ok(null));
  api.recordTrainingTimes.mockImplementation(() => ok(null));
  api.exportSignInSheet.mockImplementation(() => ok({ paths: ["/home/coord/foglio_firme_2026-02-10.pdf"] }));
  api.exportTrainingCertificate.mockImplementation(() => ok({ paths: ["/home/coord/attestato_PV01-0101.pdf"] }));
});

describe("durations", () => {
  it("turns hours and minutes into minutes, refusing what the Rust side would", () => {
    expect(toMinutes("2", "30")).toBe(150);
    expect(toMinutes("", "45")).toBe(45);
    expect(toMinutes("24", "0")).toBe(1440);
    expect(toMinutes("24", "1")).toBeNull();
    expect(toMinutes("0", "0")).toBeNull();
    expect(toMinutes("1", "60")).toBeNull();
    expect(toMinutes("1.5", "0")).toBeNull();
    expect(toMinutes("-1", "0")).toBeNull();
    expect(toMinutes("due", "0")).toBeNull();
  });

  it("writes durations and progress in hours and minutes", () => {
    expect(durationText(150, t)).toBe("2 h 30 min");
    expect(durationText(120, t)).toBe("2 h");
    expect(durationText(45, t)).toBe("45 min");
    expect(progressText(750, 20, t)).toBe("12 h 30 min su 20 h");
  });

  it("builds a NewTraining only from a complete form", () => {
    const attendees = new Set([P1]);
    const form = { date: "2026-11-20", start: "", title: " Primo soccorso ", hours: "1", minutes: "15", attendees };
    expect(newTrainingFrom(form)).toEqual({
      date: "2026-11-20",
      start: null,
      title: "Primo soccorso",
      minutes: 75,
      completion_percent: null,
      attendees: [P1],
    });
    expect(newTrainingFrom({ ...form, start: "14:30" })?.start).toBe("14:30:00");
    expect(newTrainingFrom({ ...form, start: "25:00" })).toBeNull();
    expect(newTrainingFrom({ ...form, title: " " })).toBeNull();
    expect(newTrainingFrom({ ...form, date: "2026-02-30" })).toBeNull();
  });
});

describe("Training screen", () => {
  it("shows each person's hours against the threshold, and who is trained", async () => {
    renderScreen(<Training />);
    const rows = await screen.findAllByTestId("training-person");
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Formazione");
    expect(screen.getByText(/chi arriva a 20 ore conta come formato/)).toBeTruthy();
    const [giulia, marco] = rows as [HTMLElement, HTMLElement];
    expect(within(giulia).getByTestId("trained-badge").textContent).toBe("formato");
    expect(within(marco).queryByTestId("trained-badge")).toBeNull();

    const bar = within(marco).getByRole("progressbar", { name: "Ore di formazione di Marco Gialli" });
    expect(bar.getAttribute("aria-valuenow")).toBe("750");
    expect(bar.getAttribute("aria-valuemax")).toBe("1200");
    expect(bar.getAttribute("aria-valuetext")).toBe("12 h 30 min su 20 h");
    expect(marco.textContent).toContain("12 h 30 min su 20 h");
    // Beyond the threshold: the bar is full, the text says the real hours.
    const full = within(giulia).getByRole("progressbar");
    expect(full.getAttribute("aria-valuenow")).toBe("1200");
    expect(full.getAttribute("aria-valuetext")).toBe("21 h su 20 h");
    expect(screen.getByText("1 persona su 2 ha raggiunto la soglia.")).toBeTruthy();
  });

  it("lists sessions newest first with their attendees, and ticks presence", async () => {
    renderScreen(<Training />);
    const sessions = await screen.findAllByTestId("training-session");
    expect(sessions[0]?.textContent).toContain("Privacy");
    expect(sessions[0]?.textContent).toContain("45 min");
    expect(sessions[1]?.textContent).toContain("10/02/2026");
    expect(sessions[1]?.textContent).toContain("2 h 30 min");
    fireEvent.click(within(sessions[1] as HTMLElement).getByRole("button", { name: "Presenze" }));
    const group = screen.getByRole("group", { name: "Chi ha partecipato a «Ascolto attivo» del 10/02/2026" });
    const marco = within(group).getByRole("checkbox", { name: "Marco Gialli" }) as HTMLInputElement;
    expect(marco.checked).toBe(false);
    fireEvent.click(marco);
    await waitFor(() => expect(api.setTrainingPresence).toHaveBeenCalledWith(S1, P2, true));
    await waitFor(() => expect(api.trainingRegister).toHaveBeenCalledTimes(2));
  });

  it("records a session from hours and minutes", async () => {
    renderScreen(<Training />);
    await screen.findAllByTestId("training-person");
    const form = screen.getByTestId("add-training");
    fireEvent.input(within(form).getByRole("textbox", { name: /Titolo/ }), { target: { value: "Mediazione" } });
    fireEvent.input(within(form).getByRole("textbox", { name: "Ore" }), { target: { value: "3" } });
    fireEvent.input(within(form).getByRole("textbox", { name: "Minuti" }), { target: { value: "15" } });
    fireEvent.click(within(form).getByRole("checkbox", { name: "Marco Gialli" }));
    fireEvent.click(within(form).getByRole("button", { name: "Registra la formazione" }));
    await waitFor(() =>
      expect(api.addTraining).toHaveBeenCalledWith({
        date: "2026-11-25",
        start: null,
        title: "Mediazione",
        minutes: 195,
        completion_percent: null,
        attendees: [P2],
      }),
    );
  });

  it("follows the rights, not the role: without keep_training_register the register is read only", async () => {
    renderScreen(<Training />, sessionFixture({ role: "coordinator", rights: rightsOf("lead") }));
    const sessions = await screen.findAllByTestId("training-session");
    expect(screen.queryByTestId("add-training")).toBeNull();
    expect(screen.getByTestId("training-read-only").textContent).toBe(t("training.readOnly"));
    fireEvent.click(within(sessions[1] as HTMLElement).getByRole("button", { name: "Presenze" }));
    const group = screen.getByRole("group", { name: "Chi ha partecipato a «Ascolto attivo» del 10/02/2026" });
    const marco = within(group).getByRole("checkbox", { name: "Marco Gialli" }) as HTMLInputElement;
    expect(marco.disabled).toBe(true);
    fireEvent.click(marco);
    expect(api.setTrainingPresence).not.toHaveBeenCalled();
  });

  it("does not send an incomplete session", async () => {
    renderScreen(<Training />);
    await screen.findAllByTestId("training-person");
    const form = screen.getByTestId("add-training");
    fireEvent.input(within(form).getByRole("textbox", { name: "Minuti" }), { target: { value: "75" } });
    fireEvent.click(within(form).getByRole("button", { name: "Registra la formazione" }));
    expect(await within(form).findByText("Scrivi il titolo.")).toBeTruthy();
    expect(within(form).getByText(/La durata va da 1 minuto a 24 ore/)).toBeTruthy();
    expect(api.addTraining).not.toHaveBeenCalled();
  });

  it("shows each attendee's share and whether they completed, and records arrival and departure", async () => {
    renderScreen(<Training />);
    const sessions = await screen.findAllByTestId("training-session");
    fireEvent.click(within(sessions[1] as HTMLElement).getByRole("button", { name: "Presenze" }));
    const panel = screen.getByTestId("attendance");
    const [giulia, marco] = within(panel).getAllByTestId("attendee-row") as [HTMLElement, HTMLElement];
    expect(within(giulia).getByTestId("attendee-share").textContent).toContain("80%");
    expect(within(giulia).getByTestId("attendee-share").textContent).toContain("120 su 150");
    expect(within(giulia).getByTestId("completed-badge").textContent).toBe("completata");
    // Marco is not present at this session: no times to enter, no share.
    expect(within(marco).queryByRole("textbox")).toBeNull();
    expect(within(marco).getByTestId("attendee-share").textContent).toBe("");

    const arrival = within(giulia).getByLabelText("Entrata di Giulia Neri") as HTMLInputElement;
    expect(arrival.value).toBe("09:30");
    fireEvent.input(within(giulia).getByLabelText("Uscita di Giulia Neri"), { target: { value: "11:00" } });
    fireEvent.click(within(giulia).getByRole("button", { name: "Salva entrata e uscita di Giulia Neri" }));
    await waitFor(() =>
      expect(api.recordTrainingTimes).toHaveBeenCalledWith(S1, P1, {
        arrival: "09:30:00",
        departure: "11:00:00",
        minutes: null,
      }),
    );
    await waitFor(() => expect(api.trainingRegister).toHaveBeenCalledTimes(2));
  });

  it("shows minutes recorded without times and who did not complete, and refuses a malformed number", async () => {
    renderScreen(<Training />);
    const sessions = await screen.findAllByTestId("training-session");
    fireEvent.click(within(sessions[0] as HTMLElement).getByRole("button", { name: "Presenze" }));
    const panel = screen.getByTestId("attendance");
    expect(panel.textContent).toContain("non ha un'ora di inizio");
    const [giulia, marco] = within(panel).getAllByTestId("attendee-row") as [HTMLElement, HTMLElement];
    expect(within(giulia).getByTestId("attendee-share").textContent).toContain("tutta la sessione");
    expect(within(marco).getByTestId("not-completed-badge").textContent).toBe("non completata");
    expect(within(marco).getByTestId("attendee-share").textContent).toContain("66%");
    const minutes = within(marco).getByLabelText("Minuti frequentati da Marco Gialli") as HTMLInputElement;
    expect(minutes.value).toBe("30");
    fireEvent.input(minutes, { target: { value: "trenta" } });
    const save = within(marco).getByRole("button", { name: "Salva entrata e uscita di Marco Gialli" }) as HTMLButtonElement;
    expect(save.disabled).toBe(true);
    fireEvent.click(save);
    expect(api.recordTrainingTimes).not.toHaveBeenCalled();
  });

  it("says which field the Rust side refused, such as a departure before the arrival", async () => {
    api.recordTrainingTimes.mockImplementation(() =>
      fail({ kind: "invalid", field: "training.departure", reason: "departure at 09:00 is not after arrival at 09:30" }),
    );
    renderScreen(<Training />);
    const sessions = await screen.findAllByTestId("training-session");
    fireEvent.click(within(sessions[1] as HTMLElement).getByRole("button", { name: "Presenze" }));
    const giulia = within(screen.getByTestId("attendance")).getAllByTestId("attendee-row")[0] as HTMLElement;
    fireEvent.input(within(giulia).getByLabelText("Uscita di Giulia Neri"), { target: { value: "09:00" } });
    fireEvent.click(within(giulia).getByRole("button", { name: "Salva entrata e uscita di Giulia Neri" }));
    await waitFor(() => expect(screen.getByRole("alert").textContent).toContain("Controlla il campo «Uscita»"));
  });

  it("sets the session's start and threshold, refusing a threshold out of range", async () => {
    renderScreen(<Training />);
    const sessions = await screen.findAllByTestId("training-session");
    fireEvent.click(within(sessions[1] as HTMLElement).getByRole("button", { name: "Presenze" }));
    const settings = screen.getByTestId("session-settings");
    const threshold = within(settings).getByRole("textbox", { name: /Soglia di completamento/ }) as HTMLInputElement;
    expect(threshold.value).toBe("80");
    const button = within(settings).getByRole("button", { name: "Salva orario e soglia" }) as HTMLButtonElement;
    fireEvent.input(threshold, { target: { value: "0" } });
    expect(within(settings).getByText("La soglia va da 1 a 100.")).toBeTruthy();
    expect(button.disabled).toBe(true);
    fireEvent.input(threshold, { target: { value: "90" } });
    fireEvent.input(within(settings).getByLabelText(/Ora di inizio/), { target: { value: "09:15" } });
    fireEvent.click(button);
    await waitFor(() =>
      expect(api.updateTraining).toHaveBeenCalledWith(S1, {
        date: null,
        start: "09:15:00",
        title: null,
        minutes: null,
        completion_percent: 90,
      }),
    );
  });

  it("saves the sign-in sheet of a session and a person's certificate, and says where", async () => {
    renderScreen(<Training />);
    const sessions = await screen.findAllByTestId("training-session");
    const [, marco] = screen.getAllByTestId("training-person") as [HTMLElement, HTMLElement];
    expect(within(marco).getByTestId("sessions-completed").textContent).toBe("0 su 1");
    fireEvent.click(within(marco).getByRole("button", { name: "Attestato (PDF)" }));
    await waitFor(() => expect(api.exportTrainingCertificate).toHaveBeenCalledWith(P2));
    expect(await screen.findByText("Attestato salvato: /home/coord/attestato_PV01-0101.pdf")).toBeTruthy();

    fireEvent.click(within(sessions[1] as HTMLElement).getByRole("button", { name: "Presenze" }));
    fireEvent.click(screen.getByRole("button", { name: "Foglio firme (PDF)" }));
    await waitFor(() => expect(api.exportSignInSheet).toHaveBeenCalledWith(S1));
    expect(await screen.findByText("Foglio firme salvato: /home/coord/foglio_firme_2026-02-10.pdf")).toBeTruthy();
  });

  it("without keep_training_register shows the times but offers no field, sheet or certificate", async () => {
    renderScreen(<Training />, sessionFixture({ role: "coordinator", rights: rightsOf("lead") }));
    const sessions = await screen.findAllByTestId("training-session");
    expect(screen.queryByTestId("certificate")).toBeNull();
    fireEvent.click(within(sessions[1] as HTMLElement).getByRole("button", { name: "Presenze" }));
    const panel = screen.getByTestId("attendance");
    expect(within(panel).queryByTestId("sign-in-sheet")).toBeNull();
    expect(within(panel).queryByTestId("session-settings")).toBeNull();
    expect(within(panel).queryByRole("textbox")).toBeNull();
    const giulia = within(panel).getAllByTestId("attendee-row")[0] as HTMLElement;
    expect(giulia.textContent).toContain("09:30");
    expect(giulia.textContent).toContain("completata");
  });
});
