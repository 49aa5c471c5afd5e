import { createContext, type ComponentChildren } from "preact";
import { useContext, useEffect, useMemo, useState } from "preact/hooks";
import type { IsoDate } from "../lib/dates";
import type { Language } from "./catalogue";
import {
  formatDate,
  formatLongDate,
  formatMediumDate,
  formatTime,
  weekdayNames,
} from "./format";
import { getLanguage, onLanguageChange, setLanguage } from "./store";
import { formatNumber, translatorFor, type Translate } from "./translate";

/** What a component gets from `useI18n()`: everything bound to the current language. */
export interface I18n {
  lang: Language;
  /** Switches the whole UI's language. */
  setLanguage: (lang: Language) => void;
  t: Translate;
  formatDate: (value: IsoDate | Date) => string;
  formatLongDate: (value: IsoDate | Date) => string;
  formatMediumDate: (value: IsoDate | Date) => string;
  formatTime: (value: Date | string) => string;
  formatNumber: (n: number) => string;
  /** Monday first. */
  weekdays: (width?: "long" | "short" | "narrow") => string[];
}

export function makeI18n(lang: Language): I18n {
  return {
    lang,
    setLanguage,
    t: translatorFor(lang),
    formatDate: (v) => formatDate(v, lang),
    formatLongDate: (v) => formatLongDate(v, lang),
    formatMediumDate: (v) => formatMediumDate(v, lang),
    formatTime: (v) => formatTime(v, lang),
    formatNumber: (n) => formatNumber(n, lang),
    weekdays: (width) => weekdayNames(lang, width),
  };
}

const I18nContext = createContext<I18n>(makeI18n(getLanguage()));

/**
 * Provides the current language to the tree; a language change re-renders
 * every component that calls `useI18n()`. Put it once, at the root.
 */
export function I18nProvider({ children }: { children?: ComponentChildren }) {
  const [lang, setLang] = useState<Language>(getLanguage);
  useEffect(() => {
    setLang(getLanguage());
    return onLanguageChange(setLang);
  }, []);
  const value = useMemo(() => makeI18n(lang), [lang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

/** The translator and formatters of the current language. */
export function useI18n(): I18n {
  return useContext(I18nContext);
}
