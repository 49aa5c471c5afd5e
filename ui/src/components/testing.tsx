/**
 * Test helpers for screens (imported by tests only, never by the app):
 * a session fixture, a render wrapped in the app's providers, and the
 * shapes the generated bindings return.
 */
import { render } from "@testing-library/preact";
import type { ComponentChildren } from "preact";
import { SessionProvider } from "../app/session";
import type { Action, AppError, DeviceRole, SessionInfo } from "../bindings";
import { I18nProvider } from "../i18n";
import { ToastProvider } from "./Toast";

export const LAB_1 = "0190a000-0000-7000-8000-000000000001";
export const LAB_2 = "0190a000-0000-7000-8000-000000000002";

/**
 * What the shell sends as `SessionInfo.rights` for each role
 * (`crdt_sync::authz::actions`); `null` is the unpaired demo register.
 * A copy of the Rust table for fixtures only: the screens never map a role
 * to rights themselves, and the tests that matter set rights a role would
 * not have, to prove it.
 */
export function rightsOf(role: DeviceRole | null): Action[] {
  switch (role) {
    case null:
      return [
        "erase",
        "request_erasure",
        "restrict",
        "change_project_settings",
        "decide_privacy",
        "read_audit_trail",
        "keep_training_register",
        "manage_devices",
        "ask_for_device",
        "manage_updates",
        "review_conflicts",
        "keep_volunteers_register",
      ];
    case "coordinator":
      return [
        "erase",
        "restrict",
        "change_project_settings",
        "decide_privacy",
        "read_audit_trail",
        "keep_training_register",
        "manage_devices",
        "manage_updates",
        "review_conflicts",
        "keep_volunteers_register",
      ];
    case "lead":
      return ["request_erasure", "read_audit_trail", "ask_for_device", "review_conflicts"];
    case "operator":
    case "volunteer":
      return [];
  }
}

/** A coordinator's session on lab 1 (Italian); `overrides` replace whole fields. */
export function sessionFixture(overrides: Partial<SessionInfo> = {}): SessionInfo {
  return {
    labs: [
      { id: LAB_1, number: 1, name: "Pavia Centro", address: "Via Roma 1", partner: "Coop. Uno" },
      { id: LAB_2, number: 3, name: "Pavia Ovest", address: "Via Milano 3", partner: "Coop. Tre" },
    ],
    activity_types: [
      { key: "family_tutoring", label_it: "Tutoraggio familiare", label_en: "Family tutoring" },
      { key: "open_lab", label_it: "Laboratorio aperto", label_en: "Open lab" },
    ],
    lab: LAB_1,
    today: "2026-11-25",
    settings: { language: "it", lab: LAB_1, lock_after_minutes: 15 },
    role: "coordinator",
    rights: rightsOf("coordinator"),
    operator: null,
    ...overrides,
  } as SessionInfo;
}

export function Providers({ info, children }: { info?: SessionInfo; children?: ComponentChildren }) {
  return (
    <I18nProvider>
      <ToastProvider>
        <SessionProvider value={{ info: info ?? sessionFixture(), refresh: async () => {} }}>
          {children ?? null}
        </SessionProvider>
      </ToastProvider>
    </I18nProvider>
  );
}

/** Renders a screen as the app would, with a session. */
export function renderScreen(ui: ComponentChildren, info?: SessionInfo) {
  return render(<Providers info={info}>{ui}</Providers>);
}

/** What a generated command resolves to on success. */
export function ok<T>(data: T): Promise<{ status: "ok"; data: T }> {
  return Promise.resolve({ status: "ok" as const, data });
}

/** What a generated command resolves to when the Rust side refuses. */
export function fail(error: AppError): Promise<{ status: "error"; error: AppError }> {
  return Promise.resolve({ status: "error" as const, error });
}

/** Lets pending promises (and the renders they cause) settle. */
export async function flush(times = 3): Promise<void> {
  for (let i = 0; i < times; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}
