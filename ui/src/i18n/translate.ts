/**
 * Looking texts up and filling them in. Pure functions of the language:
 * components use `useI18n().t`, other code the `t` of `./store`.
 */
import type { Catalogue, Key, Language, Leaf, ParamValue, PluralForms, TArgs } from "./catalogue";
import { en } from "./en";
import { it } from "./it";

/** The BCP 47 locale of each language (English with day/month/year order). */
export const LOCALES: Readonly<Record<Language, string>> = { it: "it-IT", en: "en-GB" };

export const CATALOGUES: Readonly<Record<Language, Catalogue>> = { it, en };

type Flat = ReadonlyMap<string, Leaf>;

function isPluralForms(value: unknown): value is PluralForms {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { other?: unknown }).other === "string"
  );
}

/** Every leaf of a catalogue by its dotted key. */
export function flatten(catalogue: object, prefix = "", out = new Map<string, Leaf>()): Map<string, Leaf> {
  for (const [name, value] of Object.entries(catalogue)) {
    const key = prefix + name;
    if (typeof value === "string" || isPluralForms(value)) out.set(key, value);
    else if (typeof value === "object" && value !== null) flatten(value, `${key}.`, out);
  }
  return out;
}

const FLAT: Readonly<Record<Language, Flat>> = { it: flatten(it), en: flatten(en) };

/** Whether a string (e.g. built from a server value) is a key of the catalogue. */
export function isKey(key: string): key is Key {
  return FLAT.it.has(key);
}

/** Whether a key is a plain text (not plural). */
export function isTextKey(key: string): boolean {
  return typeof FLAT.it.get(key) === "string";
}

const pluralRules = new Map<Language, Intl.PluralRules>();
const numberFormats = new Map<Language, Intl.NumberFormat>();

function rulesFor(lang: Language): Intl.PluralRules {
  let rules = pluralRules.get(lang);
  if (!rules) {
    rules = new Intl.PluralRules(LOCALES[lang]);
    pluralRules.set(lang, rules);
  }
  return rules;
}

/** A number written for the language: 1.234,5 in Italian, 1,234.5 in English. */
export function formatNumber(n: number, lang: Language): string {
  let format = numberFormats.get(lang);
  if (!format) {
    format = new Intl.NumberFormat(LOCALES[lang]);
    numberFormats.set(lang, format);
  }
  return format.format(n);
}

/** Replaces each `{name}` with its parameter; unknown names are left as they are. */
export function interpolate(
  template: string,
  params: Readonly<Record<string, ParamValue>> | undefined,
  lang: Language,
): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    if (!Object.hasOwn(params, name)) return whole;
    const value = params[name];
    if (typeof value === "number") return formatNumber(value, lang);
    return value ?? whole;
  });
}

/** Picks the plural form for `n` with the language's CLDR rules. */
export function selectPlural(forms: PluralForms, n: number, lang: Language): string {
  const category = rulesFor(lang).select(n);
  return forms[category] ?? forms.other;
}

/**
 * The text of `key` in `lang`, filled in. A key missing in `lang` falls back
 * to Italian, and an unknown key (only possible through a cast) to itself.
 */
export function translate<K extends Key>(lang: Language, key: K, ...args: TArgs<K>): string {
  return translateLoose(lang, key, args[0]);
}

/** `translate` without the compile-time parameter check (for computed keys). */
export function translateLoose(
  lang: Language,
  key: string,
  params?: Readonly<Record<string, ParamValue>>,
): string {
  const leaf = FLAT[lang].get(key) ?? FLAT.it.get(key);
  if (leaf === undefined) return key;
  if (typeof leaf === "string") return interpolate(leaf, params, lang);
  const n = params?.n;
  const count = typeof n === "number" ? n : Number(n);
  return interpolate(selectPlural(leaf, count, lang), params, lang);
}

/** A translator bound to one language: the type of every `t`. */
export type Translate = <K extends Key>(key: K, ...args: TArgs<K>) => string;

export function translatorFor(lang: Language): Translate {
  return (key, ...args) => translateLoose(lang, key, args[0]);
}
