/**
 * The audit trail in words: an Italian and an English label for every
 * `TrailAction` (a new action on the Rust side does not compile until it
 * has one), the parts touched, and the order shown (newest first).
 */
import type { Action, ErasureReason, TrailAction, TrailEntry } from "../../bindings";
import { isTextKey, translateLoose, type Key, type Language, type Translate } from "../../i18n";

export const TRAIL_ACTIONS = {
  created: "privacy.actions.created",
  changed: "privacy.actions.changed",
  consent_recorded: "privacy.actions.consent_recorded",
  merged: "privacy.actions.merged",
  merge_undone: "privacy.actions.merge_undone",
  merge_confirmed: "privacy.actions.merge_confirmed",
  attendance: "privacy.actions.attendance",
  lab_changed: "privacy.actions.lab_changed",
  exported: "privacy.actions.exported",
  full_export: "privacy.actions.full_export",
  erasure_requested: "privacy.actions.erasure_requested",
  erased: "privacy.actions.erased",
  subject_access: "privacy.actions.subject_access",
} as const satisfies Record<TrailAction, Key>;

/** The words for each erasure reason (also the erasure form's options). */
export const ERASURE_REASONS = {
  request: "erasure.reasonRequest",
  withdrawal: "erasure.reasonWithdrawal",
  retention: "erasure.reasonRetention",
  other: "erasure.reasonOther",
} as const satisfies Record<ErasureReason, Key>;

/** "Famiglia registrata", "Presenze segnate"… */
export function actionLabel(action: TrailAction, t: Translate): string {
  return t(TRAIL_ACTIONS[action]);
}

/** Newest first; entries at the same instant keep the reverse of the Rust side's order. */
export function newestFirst(entries: readonly TrailEntry[]): TrailEntry[] {
  const time = (e: TrailEntry) => {
    const ms = Date.parse(e.at);
    return Number.isNaN(ms) ? 0 : ms;
  };
  return [...entries].reverse().sort((a, b) => time(b) - time(a));
}

/** The first 8 characters of a device's id (enough to tell them apart). */
export function shortDevice(id: string): string {
  return id.slice(0, 8);
}

function partName(part: string, lang: Language): string {
  const key = `privacy.parts.${part}`;
  return isTextKey(key) ? translateLoose(lang, key) : part;
}

/** The "Parti e dettagli" cell: the parts touched and the one more fact, in words where known. */
export function trailDetail(e: TrailEntry, t: Translate, lang: Language): string {
  const parts: string[] = [];
  if (e.action === "attendance") {
    // The fields are the meetings' ids: their number says more.
    if (e.fields.length > 0) parts.push(t("counts.meetings", { n: e.fields.length }));
  } else if (e.action === "exported" || e.action === "full_export") {
    if (e.detail) parts.push(e.detail);
    parts.push(...e.fields);
    return parts.join(" · ") || "—";
  } else if (e.fields.length > 0) {
    parts.push(e.fields.map((f) => partName(f, lang)).join(", "));
  }
  if (e.detail) {
    if (e.action === "erased" || e.action === "erasure_requested") {
      parts.push(e.detail in ERASURE_REASONS ? t(ERASURE_REASONS[e.detail as ErasureReason]) : e.detail);
    } else if (e.action === "merged") {
      parts.push(t("privacy.trail.mergedInto", { code: e.detail }));
    } else {
      parts.push(e.detail);
    }
  }
  return parts.join(" · ") || "—";
}

/**
 * The rights any one of which shows Riservatezza; each part of the screen
 * asks for its own (`Privacy`).
 */
export const PRIVACY_RIGHTS = ["decide_privacy", "change_project_settings", "read_audit_trail"] as const satisfies readonly Action[];

/**
 * What this device's rights (`SessionInfo.rights`) make of Riservatezza, in
 * one word for its introduction: deciding (today coordinators and the
 * unpaired demo register), reading the audit trail only (lab leads), or
 * neither. The role is not consulted: the shell's table decided.
 */
export function privacyRight(rights: readonly Action[]): "all" | "trail" | "none" {
  if (rights.includes("decide_privacy")) return "all";
  if (rights.includes("read_audit_trail")) return "trail";
  return "none";
}
