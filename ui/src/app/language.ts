/**
 * Switching the interface language: at once on screen, and kept by the Rust
 * side (`settings.json`) so the next start, and the unlock screen, speak it.
 */
import { useCallback } from "preact/hooks";
import { call } from "../api/call";
import { commands } from "../bindings";
import { useToast } from "../components/Toast";
import { setLanguage, type Language } from "../i18n";

/** Switches now, then saves the choice; rejects if saving failed (the switch stays). */
export async function changeLanguage(lang: Language): Promise<void> {
  setLanguage(lang);
  await call(commands.setLanguage(lang));
}

/** `changeLanguage` that reports a failure to save as a message. */
export function useChangeLanguage(): (lang: Language) => void {
  const toast = useToast();
  return useCallback(
    (lang: Language) => {
      changeLanguage(lang).catch((err: unknown) => toast.error(err));
    },
    [toast],
  );
}
