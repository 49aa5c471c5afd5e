import { act, fireEvent, screen, within } from "@testing-library/preact";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { resetCommands } from "../app/mockBindings";
import type { FamilyPresence, HouseholdHit, MeetingDetail, MeetingPatch, MeetingSummary, Person } from "../bindings";
import { LAB_1, fail, flush, ok, renderScreen } from "../components/testing";
import { Meetings } from "./Meetings";

const mocks = vi.hoisted(() => ({ commands: {} as import("../app/mockBindings").MockCommands }));
vi.mock("../bindings", async () => (await import("../app/mockBindings")).bindingsModule(mocks));
const cmd = mocks.commands;

const MEETING = "0190b000-0000-7000-8000-00000000aaaa";
const FAMILY_A = "0190c000-0000-7000-8000-00000000000a";
const FAMILY_B = "0190c000-0000-7000-8000-00000000000b";

/** The patch that changes only `fields` (written out here, not taken from the screen's code). */
function patchOf(fields: Partial<MeetingPatch>): MeetingPatch {
  return {
    date: null,
    start: null,
    end: null,
    activity: null,
    theme: null,
    facilitators: null,
    guests: null,
    notes: null,
    ...fields,
  };
}

const wait = (ms: number) => act(() => new Promise<void>((resolve) => setTimeout(resolve, ms)));

function summary(over: Partial<MeetingSummary>): MeetingSummary {
  return {
    id: MEETING,
    lab: LAB_1,
    date: "2026-11-25",
    start: "17:00",
    end: "19:00",
    activity: "open_lab",
    theme: "Merenda e compiti",
    attendees: 12,
    guests: 2,
    ...over,
  };
}

function detail(over: Partial<MeetingDetail["meeting"]> = {}, families: FamilyPresence[] = []): MeetingDetail {
  return {
    meeting: {
      id: MEETING,
      lab: LAB_1,
      date: "2026-11-25",
      start: "17:00:00",
      end: "19:00:00",
      activity: "family_tutoring",
      theme: "",
      facilitators: [],
      attendance: [],
      guests: 0,
      notes: "",
      ...over,
    },
    families,
  };
}

const STAFF: Person[] = [
  {
    id: "p1",
    code: "OP01-001",
    first_name: "Anna",
    last_name: "Conti",
    role: "operator",
    organisation: "",
    phone: "",
    email: "",
    labs: [LAB_1],
  },
];

function family(id: string, code: string, names: string[]): FamilyPresence {
  return {
    id,
    code,
    unavailable: false,
    members: names.map((name, i) => ({ id: `${id}-m${i}`, name, birth_year: null, present: false })),
  };
}

beforeEach(() => {
  resetCommands(cmd);
  localStorage.clear();
  cmd.listMeetings = vi.fn(() => ok([]));
  cmd.getMeeting = vi.fn(() => ok(detail()));
  cmd.listStaff = vi.fn(() => ok(STAFF));
  cmd.createMeeting = vi.fn(() => ok(MEETING));
  cmd.updateMeeting = vi.fn(() => ok(null));
  cmd.setPresence = vi.fn(() => ok(null));
});

/** Opens the screen and waits for the week. */
async function open() {
  renderScreen(<Meetings />);
  await flush();
}

/** "Nuovo incontro", then the editor on the new meeting. */
async function newMeeting() {
  await open();
  fireEvent.click(screen.getByTestId("new-meeting"));
  await flush();
  return screen.getByTestId("meeting-theme") as HTMLInputElement;
}

describe("the week", () => {
  it("shows the current lab's week, Monday to Sunday, and moves by weeks", async () => {
    cmd.listMeetings = vi.fn(() =>
      ok([summary({}), summary({ id: "m2", date: "2026-11-29", start: "09:30", end: "11:00", theme: "", guests: 0 })]),
    );
    await open();
    expect(cmd.listMeetings).toHaveBeenCalledWith(LAB_1, "2026-11-23", "2026-11-29");
    const days = within(screen.getByTestId("week-view")).getAllByRole("listitem").filter((li) => li.classList.contains("week__day"));
    expect(days).toHaveLength(7);
    const cards = screen.getAllByTestId("meeting-card");
    expect(cards.map((c) => c.closest(".week__day"))).toEqual([days[2], days[6]]);
    expect(cards[0]?.textContent).toContain("17:00–19:00");
    expect(cards[0]?.textContent).toContain("Laboratorio aperto");
    expect(cards[0]?.textContent).toContain("Merenda e compiti");
    expect(cards[0]?.textContent).toContain("12 presenti · 2 ospiti");
    expect(cards[1]?.textContent).toContain("Senza tema");
    expect(days[2]?.getAttribute("aria-current")).toBe("date");

    fireEvent.click(screen.getByTestId("week-next"));
    await flush();
    expect(cmd.listMeetings).toHaveBeenLastCalledWith(LAB_1, "2026-11-30", "2026-12-06");
    fireEvent.click(screen.getByTestId("week-prev"));
    fireEvent.click(screen.getByTestId("week-prev"));
    await flush();
    expect(cmd.listMeetings).toHaveBeenLastCalledWith(LAB_1, "2026-11-16", "2026-11-22");
    fireEvent.click(screen.getByTestId("week-today"));
    await flush();
    expect(cmd.listMeetings).toHaveBeenLastCalledWith(LAB_1, "2026-11-23", "2026-11-29");
  });

  it("opens a meeting from its card and comes back to its week", async () => {
    cmd.listMeetings = vi.fn(() => ok([summary({})]));
    await open();
    fireEvent.click(screen.getByTestId("meeting-card"));
    await flush();
    expect(cmd.getMeeting).toHaveBeenCalledWith(MEETING);
    expect(document.activeElement?.textContent).toBe("Incontro di mercoledì 25 novembre 2026");
    fireEvent.click(screen.getByTestId("meeting-close"));
    await flush();
    expect(screen.getByTestId("week-view")).toBeTruthy();
    expect(document.activeElement).toBe(screen.getByTestId("meeting-card"));
  });
});

describe("a new meeting", () => {
  it("is created at once with the defaults, then only the changed field is saved", async () => {
    const theme = await newMeeting();
    expect(cmd.createMeeting).toHaveBeenCalledTimes(1);
    expect(cmd.createMeeting).toHaveBeenCalledWith({
      lab: LAB_1,
      date: "2026-11-25",
      start: "17:00:00",
      end: "19:00:00",
      activity: "family_tutoring",
      theme: "",
      facilitators: [],
      attendance: [],
      guests: 0,
      notes: "",
    });
    expect(cmd.getMeeting).toHaveBeenCalledWith(MEETING);
    expect(document.activeElement).toBe(theme);
    const status = screen.getByTestId("save-status");
    expect(status.getAttribute("aria-live")).toBe("polite");

    fireEvent.input(theme, { target: { value: "Merenda" } });
    fireEvent.input(theme, { target: { value: "Merenda e compiti" } });
    expect(status.getAttribute("data-state")).toBe("saving");
    expect(status.textContent).toBe("Salvataggio…");
    await wait(200);
    expect(cmd.updateMeeting).toHaveBeenCalledTimes(1);
    expect(cmd.updateMeeting).toHaveBeenCalledWith(MEETING, patchOf({ theme: "Merenda e compiti" }));
    expect(cmd.updateMeeting).toHaveBeenCalledWith(MEETING, {
      date: null,
      start: null,
      end: null,
      activity: null,
      theme: "Merenda e compiti",
      facilitators: null,
      guests: null,
      notes: null,
    });
    expect(status.getAttribute("data-state")).toBe("saved");
    expect(status.textContent).toBe("Salvato");

    // A facilitator: the whole set, nothing else.
    fireEvent.click(screen.getByRole("checkbox", { name: /Anna Conti/ }));
    await flush();
    expect(cmd.updateMeeting).toHaveBeenLastCalledWith(MEETING, patchOf({ facilitators: ["p1"] }));

    // Times: HH:MM:SS, only the one that changed.
    fireEvent.input(screen.getByTestId("meeting-end"), { target: { value: "19:30" } });
    await flush();
    expect(cmd.updateMeeting).toHaveBeenLastCalledWith(MEETING, patchOf({ end: "19:30:00" }));
  });

  it("uses the hours of the last meeting set", async () => {
    localStorage.setItem("taccuino.meetings.lastTimes", JSON.stringify({ start: "09:30", end: "11:00" }));
    await newMeeting();
    expect(cmd.createMeeting).toHaveBeenCalledWith(expect.objectContaining({ start: "09:30:00", end: "11:00:00" }));
  });

  it("is also created with N, but not while typing", async () => {
    await open();
    const input = document.createElement("input");
    document.body.append(input);
    fireEvent.keyDown(input, { key: "n" });
    expect(cmd.createMeeting).not.toHaveBeenCalled();
    fireEvent.keyDown(document.body, { key: "n" });
    await flush();
    expect(cmd.createMeeting).toHaveBeenCalledTimes(1);
    expect(screen.getByTestId("meeting-theme")).toBeTruthy();
  });

  it("keeps an end before the start in its field, with the reason, and does not send it", async () => {
    await newMeeting();
    const end = screen.getByTestId("meeting-end") as HTMLInputElement;
    fireEvent.input(end, { target: { value: "16:00" } });
    await flush();
    expect(cmd.updateMeeting).not.toHaveBeenCalled();
    expect(end.value).toBe("16:00");
    expect(end.getAttribute("aria-invalid")).toBe("true");
    expect(end.closest(".field")?.textContent).toContain("La fine deve venire dopo l'inizio.");
    const status = screen.getByTestId("save-status");
    expect(status.getAttribute("data-state")).toBe("error");
    expect(status.textContent).toBe("Non salvato: La fine deve venire dopo l'inizio.");

    // Moving the start earlier makes both valid: one patch with the two.
    fireEvent.input(screen.getByTestId("meeting-start"), { target: { value: "15:00" } });
    await flush();
    expect(cmd.updateMeeting).toHaveBeenCalledTimes(1);
    expect(cmd.updateMeeting).toHaveBeenCalledWith(MEETING, patchOf({ start: "15:00:00", end: "16:00:00" }));
    expect(status.getAttribute("data-state")).toBe("saved");
    expect(end.getAttribute("aria-invalid")).toBeNull();
  });

  it("shows the Rust side's refusal next to the field", async () => {
    await newMeeting();
    cmd.updateMeeting = vi.fn(() => fail({ kind: "invalid", field: "meeting.date", reason: "more than a year from today" }));
    const date = screen.getByTestId("meeting-date") as HTMLInputElement;
    fireEvent.input(date, { target: { value: "2031-01-01" } });
    await flush();
    expect(cmd.updateMeeting).toHaveBeenCalledWith(MEETING, patchOf({ date: "2031-01-01" }));
    expect(date.value).toBe("2031-01-01");
    expect(date.closest(".field")?.textContent).toContain("Controlla il campo «Data dell'incontro».");
    expect(screen.getByTestId("save-status").getAttribute("data-state")).toBe("error");
  });
});

describe("attendance", () => {
  const hits: HouseholdHit[] = [
    { id: FAMILY_A, code: "PV01-0001", lab: LAB_1, names: "Maria Rossi, Luca Rossi", merged_into: null },
    { id: FAMILY_B, code: "PV01-0002", lab: LAB_1, names: "Gino Rossetti", merged_into: null },
  ];

  it("finds families as you type and adds one with the arrows and Enter", async () => {
    cmd.searchFamilies = vi.fn(() => ok(hits));
    cmd.familyForAttendance = vi.fn(() => ok(family(FAMILY_B, "PV01-0002", ["Gino Rossetti", "Ada Rossetti"])));
    await newMeeting();
    const search = screen.getByTestId("attendance-search") as HTMLInputElement;
    expect(search.getAttribute("role")).toBe("combobox");
    fireEvent.input(search, { target: { value: "ro" } });
    fireEvent.input(search, { target: { value: "ross" } });
    await wait(120);
    // Debounced: one search, for the last text.
    expect(cmd.searchFamilies).toHaveBeenCalledTimes(1);
    expect(cmd.searchFamilies).toHaveBeenCalledWith("ross", 8);
    const options = screen.getAllByTestId("attendance-result");
    expect(options).toHaveLength(2);
    expect(screen.getByRole("listbox")).toBeTruthy();
    expect(search.getAttribute("aria-expanded")).toBe("true");
    // The first is highlighted; ↓ moves to the second, ↓ again wraps, ↑ comes back.
    expect(search.getAttribute("aria-activedescendant")).toBe(options[0]?.id);
    fireEvent.keyDown(search, { key: "ArrowDown" });
    expect(search.getAttribute("aria-activedescendant")).toBe(options[1]?.id);
    expect(options[1]?.getAttribute("aria-selected")).toBe("true");
    fireEvent.keyDown(search, { key: "ArrowDown" });
    expect(search.getAttribute("aria-activedescendant")).toBe(options[0]?.id);
    fireEvent.keyDown(search, { key: "ArrowUp" });
    expect(search.getAttribute("aria-activedescendant")).toBe(options[1]?.id);
    fireEvent.keyDown(search, { key: "Enter" });
    await flush();
    expect(cmd.familyForAttendance).toHaveBeenCalledWith(FAMILY_B);
    expect(search.value).toBe("");
    expect(search.getAttribute("aria-expanded")).toBe("false");

    const block = screen.getByTestId("attendance-family");
    expect(block.textContent).toContain("PV01-0002");
    const gino = within(block).getByRole("checkbox", { name: "Gino Rossetti" });
    expect(document.activeElement).toBe(gino);
    fireEvent.click(gino);
    await flush();
    expect(cmd.setPresence).toHaveBeenCalledWith(MEETING, FAMILY_B, `${FAMILY_B}-m0`, true);
    expect(screen.getByTestId("save-status").getAttribute("data-state")).toBe("saved");
    expect(block.textContent).toContain("1 presente");
  });

  it("shows the attendance already recorded, and an erased family by its code only", async () => {
    const present = family(FAMILY_A, "PV01-0001", ["Maria Rossi", "Luca Rossi"]);
    present.members[0]!.present = true;
    const erased: FamilyPresence = { id: FAMILY_B, code: "PV01-0002", unavailable: true, members: [] };
    cmd.listMeetings = vi.fn(() => ok([summary({})]));
    cmd.getMeeting = vi.fn(() => ok(detail({}, [present, erased])));
    await open();
    fireEvent.click(screen.getByTestId("meeting-card"));
    await flush();
    const [a, b] = screen.getAllByTestId("attendance-family");
    expect((within(a!).getByRole("checkbox", { name: "Maria Rossi" }) as HTMLInputElement).checked).toBe(true);
    expect((within(a!).getByRole("checkbox", { name: "Luca Rossi" }) as HTMLInputElement).checked).toBe(false);
    expect(b?.textContent).toBe("PV01-0002famiglia cancellata");
    expect(within(b!).queryByRole("checkbox")).toBeNull();
  });

  it("registers a new family without leaving the meeting", async () => {
    cmd.registerFamily = vi.fn(() => ok({ id: FAMILY_A, code: "PV01-0042" }));
    cmd.familyForAttendance = vi.fn(() => ok(family(FAMILY_A, "PV01-0042", ["Zaccaria Quaglieri"])));
    const theme = await newMeeting();
    fireEvent.input(theme, { target: { value: "Merenda" } });
    fireEvent.click(screen.getByTestId("new-family"));
    const dialog = screen.getByRole("dialog", { name: "Nuova famiglia" });
    expect(document.activeElement).toBe(screen.getByTestId("new-family-first"));
    // Nothing typed: told what is missing, nothing sent.
    fireEvent.click(screen.getByTestId("new-family-save"));
    expect(dialog.textContent).toContain("Scrivi il nome.");
    expect(cmd.registerFamily).not.toHaveBeenCalled();
    fireEvent.input(screen.getByTestId("new-family-first"), { target: { value: " Zaccaria " } });
    fireEvent.input(screen.getByTestId("new-family-last"), { target: { value: "Quaglieri" } });
    fireEvent.input(screen.getByTestId("new-family-birth-year"), { target: { value: "1988" } });
    // Without the legal basis record the family is not registered.
    fireEvent.click(screen.getByTestId("new-family-save"));
    expect(dialog.textContent).toContain("Scegli la base giuridica.");
    expect(cmd.registerFamily).not.toHaveBeenCalled();
    await flush();
    fireEvent.change(screen.getByTestId("new-family-basis"), { target: { value: "consent" } });
    fireEvent.change(screen.getByTestId("new-family-collected-by"), { target: { value: "p1" } });
    fireEvent.click(screen.getByTestId("new-family-save"));
    await flush();
    expect(cmd.registerFamily).toHaveBeenCalledWith({
      lab: LAB_1,
      reference: { first_name: "Zaccaria", last_name: "Quaglieri", birth_year: 1988 },
      others: [],
      contacts: { phone: "", email: "", address: "" },
      areas: [],
      referral: null,
      consent: {
        basis: "consent",
        special: null,
        notice_version: "2026-01",
        date: "2026-11-25",
        collected_by: "p1",
        guardian: null,
        scopes: [],
      },
    });
    expect(screen.queryByRole("dialog")).toBeNull();
    const box = within(screen.getByTestId("attendance-family")).getByRole("checkbox", { name: "Zaccaria Quaglieri" });
    expect((box as HTMLInputElement).checked).toBe(false);
    expect(document.activeElement).toBe(box);
    // The meeting is still there, as typed.
    expect((screen.getByTestId("meeting-theme") as HTMLInputElement).value).toBe("Merenda");
  });
});
