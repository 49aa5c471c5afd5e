import { beforeEach, describe, expect, it, vi } from "vitest";
import type { MockCommands } from "../../app/mockBindings";
import type { LabId, MeetingSummary } from "../../bindings";
import { ok } from "../../components/testing";
import { askFirstWeek, takeFirstWeek } from "./firstWeek";

const mocks = vi.hoisted(() => ({ commands: {} as import("../../app/mockBindings").MockCommands }));
vi.mock("../../bindings", async () => (await import("../../app/mockBindings")).bindingsModule(mocks));

const LAB = "0193a1b2-0000-7000-8000-000000000001" as LabId;
const OTHER = "0193a1b2-0000-7000-8000-000000000002" as LabId;
const meeting = { id: "m1", date: "2026-12-08" } as unknown as MeetingSummary;

describe("the first week, asked for at the unlock", () => {
  let listMeetings: ReturnType<typeof vi.fn>;
  beforeEach(() => {
    listMeetings = vi.fn(() => ok([meeting]));
    mocks.commands.listMeetings = listMeetings as unknown as MockCommands[string];
    takeFirstWeek(LAB, "2000-01-03", "2000-01-09"); // nothing left from another test
  });

  it("asks for Monday to Sunday of today's week, and the week view takes that answer once", async () => {
    askFirstWeek(LAB, "2026-12-09", true);
    expect(listMeetings).toHaveBeenCalledWith(LAB, "2026-12-07", "2026-12-13");
    const taken = takeFirstWeek(LAB, "2026-12-07", "2026-12-13");
    expect(taken).not.toBeNull();
    expect(await taken).toEqual([meeting]);
    // Never twice: the next load asks afresh.
    expect(takeFirstWeek(LAB, "2026-12-07", "2026-12-13")).toBeNull();
    expect(listMeetings).toHaveBeenCalledTimes(1);
  });

  it("drops an answer for another lab or week, so no later view shows it", () => {
    askFirstWeek(LAB, "2026-12-09", true);
    expect(takeFirstWeek(OTHER, "2026-12-07", "2026-12-13")).toBeNull();
    expect(takeFirstWeek(LAB, "2026-12-07", "2026-12-13")).toBeNull();
    askFirstWeek(LAB, "2026-12-09", true);
    expect(takeFirstWeek(LAB, "2026-11-30", "2026-12-06")).toBeNull();
    expect(takeFirstWeek(LAB, "2026-12-07", "2026-12-13")).toBeNull();
  });

  it("asks nothing when the register opens on another section or without a lab, and forgets an older answer", () => {
    askFirstWeek(LAB, "2026-12-09", true);
    askFirstWeek(LAB, "2026-12-09", false);
    expect(takeFirstWeek(LAB, "2026-12-07", "2026-12-13")).toBeNull();
    askFirstWeek(null, "2026-12-09", true);
    expect(takeFirstWeek(LAB, "2026-12-07", "2026-12-13")).toBeNull();
    expect(listMeetings).toHaveBeenCalledTimes(1);
  });
});
