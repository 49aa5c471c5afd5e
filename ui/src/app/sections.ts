/**
 * The sections of the app, in navigation order. Navigation is app state (no
 * router): the shell keeps a `SectionId` and renders its `Screen`. The
 * position in this list is also the shortcut: Alt+1 … Alt+8.
 *
 * To add a section: a key under `sections` in both catalogues, a file in
 * `src/screens/`, and a line here.
 */
import type { FunctionComponent } from "preact";
import type { Key } from "../i18n";
import { Exports } from "../screens/Exports";
import { Families } from "../screens/Families";
import { Indicators } from "../screens/Indicators";
import { Meetings } from "../screens/Meetings";
import { People } from "../screens/People";
import { Settings } from "../screens/Settings";
import { Sync } from "../screens/Sync";
import { Training } from "../screens/Training";

export interface Section {
  id: string;
  /** The catalogue key of its name (nav, title, help). */
  label: Key;
  Screen: FunctionComponent;
}

export const SECTIONS = [
  { id: "meetings", label: "sections.meetings", Screen: Meetings },
  { id: "families", label: "sections.families", Screen: Families },
  { id: "people", label: "sections.people", Screen: People },
  { id: "training", label: "sections.training", Screen: Training },
  { id: "sync", label: "sections.sync", Screen: Sync },
  { id: "indicators", label: "sections.indicators", Screen: Indicators },
  { id: "exports", label: "sections.exports", Screen: Exports },
  { id: "settings", label: "sections.settings", Screen: Settings },
] as const satisfies readonly Section[];

export type SectionId = (typeof SECTIONS)[number]["id"];

export const DEFAULT_SECTION: SectionId = "meetings";

export function sectionById(id: SectionId): Section {
  return SECTIONS.find((s) => s.id === id) ?? SECTIONS[0];
}
