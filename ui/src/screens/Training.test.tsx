import { fireEvent, screen, waitFor, within } from "@testing-library/preact";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { TrainingRegister } from "../bindings";
import { ok, renderScreen, rightsOf, sessionFixture } from "../components/testing";
import { translatorFor } from "../i18n";
import { Training, durationText, newTrainingFrom, progressText, toMinutes } from "./Training";

vi.mock("../bindings", () => ({
  commands: {
    trainingRegister: vi.fn(),
    addTraining: vi.fn(),
    setTrainingPresence: vi.fn(),
  },
}));

import { commands } from "../bindings";

const api = vi.mocked(commands);
const t = translatorFor("it");

const P1 = "0190c000-0000-7000-8000-000000000001";
const P2 = "0190c000-0000-7000-8000-000000000002";
const S1 = "0190d000-0000-7000-8000-000000000001";

function register(): TrainingRegister {
  return {
    threshold_hours: 20,
    sessions: [
      { id: S1, date: "2026-02-10", title: "Ascolto attivo", minutes: 150, attendees: [P1] },
      { id: "s2", date: "2026-03-10", title: "Privacy", minutes: 45, attendees: [P1, P2] },
    ],
    people: [
      { person: P1, code: "PV01-0100", name: "Giulia Neri", role: "operator", minutes: 1260, trained: true },
      { person: P2, code: "PV01-0101", name: "Marco Gialli", role: "volunteer", minutes: 750, trained: false },
    ],
  };
}

beforeEach(() => {
  vi.resetAllMocks();
  api.trainingRegister.mockImplementation(() => ok(register()));
  api.addTraining.mockImplementation(() => ok("new-id"));
  api.setTrainingPresence.mockImplementation(() => ok(null));
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
    expect(newTrainingFrom({ date: "2026-11-20", title: " Primo soccorso ", hours: "1", minutes: "15", attendees })).toEqual({
      date: "2026-11-20",
      title: "Primo soccorso",
      minutes: 75,
      attendees: [P1],
    });
    expect(newTrainingFrom({ date: "2026-11-20", title: " ", hours: "1", minutes: "0", attendees })).toBeNull();
    expect(newTrainingFrom({ date: "2026-02-30", title: "x", hours: "1", minutes: "0", attendees })).toBeNull();
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
      expect(api.addTraining).toHaveBeenCalledWith({ date: "2026-11-25", title: "Mediazione", minutes: 195, attendees: [P2] }),
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
});
