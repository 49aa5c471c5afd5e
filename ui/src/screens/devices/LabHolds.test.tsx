import { fireEvent, screen, within } from "@testing-library/preact";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { resetCommands } from "../../app/mockBindings";
import type { ReleaseList } from "../../bindings";
import { fail, flush, ok, renderScreen } from "../../components/testing";
import { LabHolds, newestFirst } from "./LabHolds";

const mocks = vi.hoisted(() => ({ commands: {} as import("../../app/mockBindings").MockCommands }));
vi.mock("../../bindings", async () => (await import("../../app/mockBindings")).bindingsModule(mocks));
const cmd = mocks.commands;

const published = Date.UTC(2026, 11, 1, 9, 0);

function releases(overrides: Partial<ReleaseList> = {}): ReleaseList {
  return {
    releases: [
      { version: "0.2.0", format: "deb", published_at: published },
      { version: "0.10.0", format: "deb", published_at: published },
    ],
    holds: [{ lab: 3, version: "0.2.0" }],
    ...overrides,
  };
}

beforeEach(() => {
  resetCommands(cmd);
  cmd.listReleases = vi.fn(() => ok(releases()));
  cmd.updateStatus = vi.fn(() =>
    ok({ current: "0.1.0", installed_from: "deb", hub: null, offer: null, download: { state: "none" }, refused: null }),
  );
  cmd.holdLab = vi.fn(() => ok(null));
});

function row(lab: number): HTMLElement {
  const found = screen.getAllByTestId("hold-row").find((r) => r.dataset.lab === String(lab));
  if (!found) throw new Error(`no row for lab ${lab}`);
  return found;
}

describe("Updates for the labs (coordinators)", () => {
  it("orders versions as numbers, newest first", () => {
    expect(newestFirst(["0.9.3", "0.10.0", "0.2.0", "0.10.0"])).toEqual(["0.10.0", "0.9.3", "0.2.0"]);
  });

  it("lists the releases and each lab's offered version", async () => {
    renderScreen(<LabHolds />);
    await flush();
    expect(screen.getByTestId("releases").textContent).toContain("Versione 0.10.0 (deb), pubblicata il 01/12/2026");
    expect(within(row(1)).getByTestId("hold-offered").textContent).toBe("la più recente");
    expect(within(row(3)).getByTestId("hold-offered").textContent).toBe("bloccato alla 0.2.0");
    // The choices: every release and the version the labs run now, oldest selected.
    const select = within(row(1)).getByTestId("hold-version") as HTMLSelectElement;
    expect([...select.options].map((o) => o.value)).toEqual(["0.10.0", "0.2.0", "0.1.0"]);
    expect(select.value).toBe("0.1.0");
  });

  it("holds a lab on the chosen version and lets another go", async () => {
    renderScreen(<LabHolds />);
    await flush();
    fireEvent.change(within(row(1)).getByTestId("hold-version"), { target: { value: "0.2.0" } });
    fireEvent.click(within(row(1)).getByTestId("hold-button"));
    await flush();
    expect(cmd.holdLab).toHaveBeenCalledWith(1, "0.2.0");
    fireEvent.click(within(row(3)).getByTestId("release-button"));
    await flush();
    expect(cmd.holdLab).toHaveBeenLastCalledWith(3, null);
    expect(cmd.listReleases).toHaveBeenCalledTimes(3);
  });

  it("shows the hub's refusal", async () => {
    cmd.holdLab = vi.fn(() => fail({ kind: "device_management", reason: "not_allowed" }));
    renderScreen(<LabHolds />);
    await flush();
    fireEvent.click(within(row(1)).getByTestId("hold-button"));
    await flush();
    expect(document.body.textContent).toContain("L'hub non consente questa operazione");
  });
});
