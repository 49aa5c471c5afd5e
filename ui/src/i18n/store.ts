/**
 * The current interface language: a tiny observable value. Components do not
 * read it directly: `<I18nProvider>` subscribes and re-renders the tree
 * through context (`useI18n()`). Non-component code (error messages, titles)
 * uses `t` below, which always speaks the current language.
 */
import type { Key, Language, TArgs } from "./catalogue";
import { translateLoose } from "./translate";

let current: Language = "it";
const listeners = new Set<(lang: Language) => void>();

export function getLanguage(): Language {
  return current;
}

/** Switches the language of the whole UI (and `<html lang>`). */
export function setLanguage(lang: Language): void {
  if (lang === current) return;
  current = lang;
  if (typeof document !== "undefined") document.documentElement.lang = lang;
  for (const listener of listeners) listener(lang);
}

/** Calls `listener` on every change; returns the function that unsubscribes. */
export function onLanguageChange(listener: (lang: Language) => void): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

/** Translates in the current language (outside components; inside, use `useI18n().t`). */
export function t<K extends Key>(key: K, ...args: TArgs<K>): string {
  return translateLoose(current, key, args[0]);
}
