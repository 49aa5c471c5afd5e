/**
 * Types of the catalogues, derived from the Italian one (`it.ts`).
 *
 * - `Catalogue`: the shape every other language must have, exactly: a
 *   missing or an extra key in `en.ts` is a compile error.
 * - `Key`: every dotted path to a text, e.g. `"sections.meetings"`.
 * - `TArgs<K>`: the parameters a key needs, read from its `{placeholders}`:
 *   `t("app.titleWithSection")` without `{ section }` does not compile.
 */
import type { it } from "./it";

/** The interface languages, as the Rust side serialises `settings.language`. */
export const LANGUAGES = ["it", "en"] as const;
export type Language = (typeof LANGUAGES)[number];

export function isLanguage(value: unknown): value is Language {
  return typeof value === "string" && (LANGUAGES as readonly string[]).includes(value);
}

/** A plural text: one string per CLDR category; `other` is required. */
export type PluralForms = { readonly other: string } & {
  readonly [C in Exclude<Intl.LDMLPluralRule, "other">]?: string;
};

/** A leaf of a catalogue. */
export type Leaf = string | PluralForms;

type Source = typeof it;

/** `it` with every text widened to `string`: what `en` must be. */
type Shape<T> = T extends string
  ? string
  : T extends PluralForms
    ? { readonly [K in keyof T]: string }
    : { readonly [K in keyof T]: Shape<T[K]> };

export type Catalogue = Shape<Source>;

type Paths<T, P extends string = ""> = {
  [K in keyof T & string]: T[K] extends string
    ? `${P}${K}`
    : T[K] extends PluralForms
      ? `${P}${K}`
      : Paths<T[K], `${P}${K}.`>;
}[keyof T & string];

/** Every key of the catalogue. */
export type Key = Paths<Source>;

/** The Italian leaf at a key (a literal type: its text is known). */
export type LeafAt<K extends string, T = Source> = K extends `${infer H}.${infer R}`
  ? H extends keyof T
    ? LeafAt<R, T[H]>
    : never
  : K extends keyof T
    ? T[K]
    : never;

/** Keys whose text has plural forms (they need `n`). */
export type PluralKey = { [K in Key]: LeafAt<K> extends PluralForms ? K : never }[Key];

type PlaceholdersOf<S> = S extends `${string}{${infer P}}${infer Rest}`
  ? P | PlaceholdersOf<Rest>
  : never;

/** The names of the parameters of a key (`n` for every plural key). */
export type ParamNames<K extends Key> =
  LeafAt<K> extends string
    ? PlaceholdersOf<LeafAt<K>>
    : LeafAt<K> extends PluralForms
      ? PlaceholdersOf<LeafAt<K>[keyof LeafAt<K>]> | "n"
      : never;

/** A parameter value: numbers are formatted for the language (1.234). */
export type ParamValue = string | number;

export type Params<K extends Key> = { readonly [P in ParamNames<K>]: ParamValue };

/** The rest-arguments of `t(key, ...)`: none, or the parameters the text needs. */
export type TArgs<K extends Key> = [ParamNames<K>] extends [never] ? [] : [params: Params<K>];
