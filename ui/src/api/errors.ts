/**
 * The Rust side's errors, in the user's language.
 *
 * Every command rejects with `AppError` (src-tauri/src/error.rs), a union
 * tagged by `kind` in snake_case. Its type comes from the generated
 * bindings, and the `switch` below keeps the compiler honest about new
 * variants.
 *
 * The English `reason`/`detail` strings are for logs: the UI shows the
 * catalogue's texts and offers the detail only behind "Dettagli".
 */
import type { AppError } from "../bindings";
import { appErrorOf } from "./call";
import type { Language } from "../i18n/catalogue";
import { getLanguage } from "../i18n/store";
import { isTextKey, translate, translateLoose } from "../i18n/translate";

/** The generated union (`../bindings`): a new variant on the Rust side breaks the `switch` below until it has a text. */
export type { AppError };

export type AppErrorKind = AppError["kind"];

/** Whether a rejected value looks like a tagged error from the Rust side. */
export function isTaggedError(err: unknown): err is { kind: string } & Record<string, unknown> {
  return (
    typeof err === "object" &&
    err !== null &&
    typeof (err as { kind?: unknown }).kind === "string"
  );
}

function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** A field name from the core's validation (`meeting.date`) as the user knows it. */
export function fieldLabel(field: string, lang: Language = getLanguage()): string {
  const key = `fields.${field}`;
  return isTextKey(key) ? translateLoose(lang, key) : field;
}

/** "This family is no longer there" for `what` = `household`, or a neutral text. */
function notFoundMessage(what: string, lang: Language): string {
  const key = `errors.notFound.${what}`;
  return isTextKey(key) ? translateLoose(lang, key) : translate(lang, "errors.notFoundAny");
}

/**
 * The message to show for anything a command rejected with: a known error
 * in the user's language, otherwise the generic message (never raw text
 * from the system, which is English and may hold paths).
 */
export function errorMessage(err: unknown, lang: Language = getLanguage()): string {
  // What `call()` throws carries the Rust side's error inside.
  const tagged = appErrorOf(err) ?? err;
  if (!isTaggedError(tagged)) return translate(lang, "errors.generic");
  const e = tagged as AppError;
  switch (e.kind) {
    case "locked":
      return translate(lang, "errors.locked");
    case "no_register":
      return translate(lang, "errors.noRegister");
    case "register_exists":
      return translate(lang, "errors.registerExists");
    case "wrong_passphrase":
      return translate(lang, "errors.wrongPassphrase");
    case "wrong_recovery_key":
      return translate(lang, "errors.wrongRecoveryKey");
    case "weak_passphrase": {
      const min = Number(e.min_chars);
      return Number.isFinite(min) && min > 0
        ? translate(lang, "errors.weakPassphrase", { n: min })
        : translate(lang, "errors.generic");
    }
    case "invalid":
      return translate(lang, "errors.invalid", { field: fieldLabel(str(e.field), lang) });
    case "not_found":
      return notFoundMessage(str(e.what), lang);
    case "merge":
      return translate(lang, "errors.merge");
    case "restricted":
      return translate(lang, "errors.restricted", { code: str(e.code) });
    case "codes_exhausted":
      return translate(lang, "errors.codesExhausted");
    case "newer_database":
      return translate(lang, "errors.newerDatabase");
    case "cancelled":
      return translate(lang, "errors.cancelled");
    case "file":
      return translate(lang, "errors.file");
    case "bad_file":
      return translate(lang, "errors.badFile");
    case "internal":
      return translate(lang, "errors.internal");
    case "not_paired":
      return translate(lang, "errors.notPaired");
    case "offline":
      return translate(lang, "errors.offline");
    case "unauthorized":
      return translate(lang, "errors.unauthorized");
    case "revoked":
      return translate(lang, "errors.revoked");
    case "hub_busy":
      return translate(lang, "errors.hubBusy");
    case "untrusted_hub":
      return translate(lang, "errors.untrustedHub");
    case "forbidden":
      return translate(lang, "errors.forbidden");
    case "not_due":
      return translate(lang, "errors.notDue", { code: str(e.code) });
    case "stale":
      return translate(lang, "errors.stale", { days: String(e.days) });
    case "erased":
      return translate(lang, "errors.erased", { code: str(e.code) });
    case "volunteer_erased":
      return translate(lang, "errors.volunteerErased");
    case "volunteer_not_due":
      return translate(lang, "errors.volunteerNotDue");
    case "pairing": {
      const key = `errors.pairing.${str(e.reason)}`;
      return isTextKey(key) ? translateLoose(lang, key) : translate(lang, "errors.pairing.any");
    }
    case "device_management": {
      const key = `errors.devices.${str(e.reason)}`;
      return isTextKey(key) ? translateLoose(lang, key) : translate(lang, "errors.devices.any");
    }
    case "update": {
      const key = `errors.update.${str(e.reason)}`;
      return isTextKey(key) ? translateLoose(lang, key) : translate(lang, "errors.update.any");
    }
    case "version_mismatch":
      return translate(lang, "errors.versionMismatch");
    default: {
      // A variant this build does not know yet (newer Rust side).
      const _unknown: never = e;
      void _unknown;
      return translate(lang, "errors.generic");
    }
  }
}

/**
 * The technical detail, for a "Dettagli" disclosure and bug reports: the
 * Rust side's English reason or detail, or the text of a JS error.
 */
export function errorDetails(err: unknown): string | undefined {
  const tagged = appErrorOf(err) ?? err;
  if (isTaggedError(tagged)) {
    const parts = [tagged.kind, str(tagged.field), str(tagged.what), str(tagged.reason), str(tagged.detail)];
    return parts.filter((p) => p !== "").join(": ");
  }
  if (err instanceof Error) return err.message;
  if (typeof err === "string" && err !== "") return err;
  return undefined;
}
