/**
 * Texts and formats in Italian (default) and English.
 *
 *   const { t, formatDate } = useI18n();
 *   t("sections.meetings")                        // "Incontri"
 *   t("app.titleWithSection", { section: "X" })   // parameters are type-checked
 *   t("counts.families", { n: 3 })                // "3 famiglie"
 *   formatDate("2026-11-25")                      // "25/11/2026"
 */
export { LANGUAGES, isLanguage } from "./catalogue";
export type { Catalogue, Key, Language, PluralKey, Params, TArgs } from "./catalogue";
export { I18nProvider, makeI18n, useI18n, type I18n } from "./context";
export {
  formatDate,
  formatLongDate,
  formatMediumDate,
  formatTime,
  monthNames,
  weekdayNames,
} from "./format";
export { getLanguage, onLanguageChange, setLanguage, t } from "./store";
export {
  LOCALES,
  formatNumber,
  isKey,
  isTextKey,
  translate,
  translateLoose,
  translatorFor,
  type Translate,
} from "./translate";
