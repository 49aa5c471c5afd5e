import { fireEvent, screen } from "@testing-library/preact";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Household } from "../../bindings";
import { LAB_1, fail, flush, ok, renderScreen, rightsOf, sessionFixture } from "../../components/testing";
import { Erasure, erasureRight } from "./Erasure";

vi.mock("../../bindings", () => ({ commands: { eraseFamily: vi.fn(), restrictFamily: vi.fn(), liftRestriction: vi.fn() } }));

import { commands } from "../../bindings";

const api = vi.mocked(commands);
const ID = "0190b000-0000-7000-8000-00000000000a";

const family = {
  id: ID,
  code: "PV01-0042",
  lab: LAB_1,
  reference: null,
  members: [],
  contacts: { phone: "", email: "", address: "" },
  areas: [],
  referral: null,
  consent: null,
  pathways: [],
  merged_into: null,
  merge_confirmed: false,
  created_at: "2026-03-02T09:00:00Z",
} as unknown as Household;

describe("erasing a family", () => {
  beforeEach(() => vi.resetAllMocks());

  it("gives coordinators and the demo register the erasure, leads a request, others nothing", () => {
    expect(erasureRight(rightsOf("coordinator"))).toBe("erase");
    expect(erasureRight(rightsOf(null))).toBe("erase");
    expect(erasureRight(rightsOf("lead"))).toBe("request");
    expect(erasureRight(rightsOf("volunteer"))).toBe("none");
    expect(erasureRight(rightsOf("operator"))).toBe("none");
    expect(erasureRight(["request_erasure", "erase"])).toBe("erase");
  });

  it("follows the rights the shell sent, never the role", async () => {
    api.eraseFamily.mockReturnValue(ok({ kind: "erased", codes: ["PV01-0042"] }));
    // A lead's laptop without rights: no request button.
    let view = renderScreen(<Erasure family={family} onErased={() => {}} />, sessionFixture({ role: "lead", rights: [] }));
    expect(screen.queryByTestId("erasure-submit")).toBeNull();
    expect(screen.getByTestId("erasure").textContent).toContain("Solo il coordinamento");
    view.unmount();
    // A coordinator's laptop that may only ask: the request, no confirmation.
    view = renderScreen(<Erasure family={family} onErased={() => {}} />, sessionFixture({ role: "coordinator", rights: ["request_erasure"] }));
    expect(screen.queryByTestId("erasure-confirm")).toBeNull();
    expect(screen.getByTestId("erasure-submit").textContent).toContain("Chiedi la cancellazione");
    view.unmount();
    // A volunteer's laptop that may erase: the erase form, and it erases.
    const onErased = vi.fn();
    renderScreen(<Erasure family={family} onErased={onErased} />, sessionFixture({ role: "volunteer", rights: ["erase"] }));
    fireEvent.input(screen.getByTestId("erasure-confirm"), { target: { value: "PV01-0042" } });
    fireEvent.click(screen.getByTestId("erasure-submit"));
    await flush();
    expect(api.eraseFamily).toHaveBeenCalledWith(ID, "request");
    expect(onErased).toHaveBeenCalled();
  });

  it("asks for the family's code before erasing, then leaves the page", async () => {
    api.eraseFamily.mockReturnValue(ok({ kind: "erased", codes: ["PV01-0042"] }));
    const onErased = vi.fn();
    renderScreen(<Erasure family={family} onErased={onErased} />);
    fireEvent.change(screen.getByTestId("erasure-reason"), { target: { value: "withdrawal" } });
    const confirm = screen.getByTestId("erasure-confirm");
    fireEvent.input(confirm, { target: { value: "PV01-0043" } });
    fireEvent.click(screen.getByTestId("erasure-submit"));
    await flush();
    expect(api.eraseFamily).not.toHaveBeenCalled();
    expect(confirm.getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByTestId("erasure").textContent).toContain("Il codice non corrisponde.");

    fireEvent.input(confirm, { target: { value: "pv01-0042" } });
    fireEvent.click(screen.getByTestId("erasure-submit"));
    await flush();
    expect(api.eraseFamily).toHaveBeenCalledWith(ID, "withdrawal");
    expect(onErased).toHaveBeenCalled();
    expect(document.body.textContent).toContain("Famiglia PV01-0042 cancellata.");
  });

  it("lets a lead ask, and stays on the page", async () => {
    api.eraseFamily.mockReturnValue(ok({ kind: "requested", code: "PV01-0042" }));
    const onErased = vi.fn();
    renderScreen(<Erasure family={family} onErased={onErased} />, sessionFixture({ role: "lead", rights: rightsOf("lead") }));
    expect(screen.queryByTestId("erasure-confirm")).toBeNull();
    fireEvent.click(screen.getByTestId("erasure-submit"));
    await flush();
    expect(api.eraseFamily).toHaveBeenCalledWith(ID, "request");
    expect(onErased).not.toHaveBeenCalled();
    expect(document.body.textContent).toContain("la conferma il coordinamento");
  });

  it("tells a volunteer who can, and shows a refusal in words", async () => {
    renderScreen(<Erasure family={family} onErased={() => {}} />, sessionFixture({ role: "volunteer", rights: rightsOf("volunteer") }));
    expect(screen.queryByTestId("erasure-submit")).toBeNull();
    expect(screen.getByTestId("erasure").textContent).toContain("Solo il coordinamento");
  });

  it("shows the Rust side's refusal", async () => {
    api.eraseFamily.mockReturnValue(fail({ kind: "forbidden", action: "erase_family" }));
    renderScreen(<Erasure family={family} onErased={() => {}} />);
    fireEvent.input(screen.getByTestId("erasure-confirm"), { target: { value: "PV01-0042" } });
    fireEvent.click(screen.getByTestId("erasure-submit"));
    await flush();
    expect(document.body.textContent).toContain("Il tuo ruolo non consente questa operazione");
  });
});

describe("restricting a family", () => {
  beforeEach(() => vi.resetAllMocks());

  it("restricts with a reason, then offers to lift it", async () => {
    const { Restriction } = await import("./Restriction");
    api.restrictFamily.mockReturnValue(ok(null));
    api.liftRestriction.mockReturnValue(ok(null));
    const reload = vi.fn(() => Promise.resolve());
    const view = renderScreen(<Restriction family={{ ...family, legal_status: "pending_decision" } as Household} reload={reload} />);
    fireEvent.change(screen.getByTestId("restriction-reason"), { target: { value: "objection" } });
    fireEvent.click(screen.getByTestId("restriction-apply"));
    await flush();
    expect(api.restrictFamily).toHaveBeenCalledWith(ID, "objection", null);
    expect(reload).toHaveBeenCalled();
    expect(document.body.textContent).toContain("Trattamento della famiglia PV01-0042 limitato.");
    view.unmount();

    renderScreen(<Restriction family={{ ...family, legal_status: "restricted" } as Household} reload={reload} />);
    fireEvent.click(screen.getByTestId("restriction-lift"));
    await flush();
    expect(api.liftRestriction).toHaveBeenCalledWith(ID, null);
  });

  it("is not offered to a lead or a volunteer", async () => {
    const { Restriction } = await import("./Restriction");
    for (const role of ["lead", "volunteer"] as const) {
      const view = renderScreen(<Restriction family={family} reload={() => Promise.resolve()} />, sessionFixture({ role, rights: rightsOf(role) }));
      expect(screen.queryByTestId("restriction")).toBeNull();
      view.unmount();
    }
  });

  it("follows the rights the shell sent, never the role", async () => {
    const { Restriction } = await import("./Restriction");
    const pending = { ...family, legal_status: "pending_decision" } as Household;
    // A coordinator's laptop without `restrict` (even with `erase`): not offered.
    let view = renderScreen(<Restriction family={pending} reload={() => Promise.resolve()} />, sessionFixture({ role: "coordinator", rights: ["erase"] }));
    expect(screen.queryByTestId("restriction")).toBeNull();
    view.unmount();
    // A volunteer's laptop with it: offered.
    view = renderScreen(<Restriction family={pending} reload={() => Promise.resolve()} />, sessionFixture({ role: "volunteer", rights: ["restrict"] }));
    expect(screen.getByTestId("restriction-apply")).toBeTruthy();
  });
});
