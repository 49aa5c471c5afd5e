/**
 * The sections of the app, in navigation order. Navigation is app state (no
 * router): the shell keeps a `SectionId` and renders its `Screen`. The
 * position in the list a device shows (`sectionsFor(rights)`) is also the
 * shortcut: Alt+1 … Alt+9; a section with a `letter` of its own (Alt+C)
 * takes no number, so it may sit anywhere without moving the others'. A section with `needs` is shown only to devices
 * whose rights (`SessionInfo.rights`, from the shell's one authorisation
 * table) include one of them; the role itself decides nothing here. A
 * section with `hub` is also hidden on a register not paired with a hub
 * (the demo register: every right, but no hub to ask). Keep such sections
 * last, so that the shortcuts of the others are the same on every laptop.
 *
 * To add a section: a key under `sections` in both catalogues, a file in
 * `src/screens/`, and a line here.
 */
import type { FunctionComponent } from "preact";
import type { Action } from "../bindings";
import type { Key } from "../i18n";
import { sectionKey } from "./shortcuts";
import { CONFLICTS_RIGHTS, Conflicts } from "../screens/Conflicts";
import { DEVICES_RIGHTS, Devices } from "../screens/Devices";
import { Exports } from "../screens/Exports";
import { Families } from "../screens/Families";
import { Indicators } from "../screens/Indicators";
import { Meetings } from "../screens/Meetings";
import { People } from "../screens/People";
import { Privacy } from "../screens/Privacy";
import { PRIVACY_RIGHTS } from "../screens/privacy/trail";
import { Settings } from "../screens/Settings";
import { Sync } from "../screens/Sync";
import { Training } from "../screens/Training";
import { Volunteers } from "../screens/Volunteers";

export interface Section {
  id: string;
  /** The catalogue key of its name (nav, title, help). */
  label: Key;
  Screen: FunctionComponent;
  /** Shown only with at least one of these rights; to everyone when absent. */
  needs?: readonly Action[];
  /** Shown only on a register paired with a hub (what it shows comes from the hub). */
  hub?: true;
  /** Its own shortcut, Alt+<letter> (upper case), instead of a number. */
  letter?: string;
}

export const SECTIONS = [
  { id: "meetings", label: "sections.meetings", Screen: Meetings },
  { id: "families", label: "sections.families", Screen: Families },
  { id: "people", label: "sections.people", Screen: People },
  { id: "training", label: "sections.training", Screen: Training },
  { id: "sync", label: "sections.sync", Screen: Sync },
  // Coordinators and leads; Alt+C wherever it sits, the others keep their numbers.
  { id: "conflicts", label: "sections.conflicts", Screen: Conflicts, needs: CONFLICTS_RIGHTS, letter: "C" },
  { id: "indicators", label: "sections.indicators", Screen: Indicators },
  { id: "exports", label: "sections.exports", Screen: Exports },
  { id: "settings", label: "sections.settings", Screen: Settings },
  // Each part of it asks for its own right (see `Privacy`): whoever has one sees the section.
  { id: "privacy", label: "sections.privacy", Screen: Privacy, needs: PRIVACY_RIGHTS },
  // Coordinators manage the devices, leads ask for one; both through the hub.
  { id: "devices", label: "sections.devices", Screen: Devices, needs: DEVICES_RIGHTS, hub: true },
  // An organisation's coordinators keep its volunteers' register (CTS art. 17), from the hub's entries.
  { id: "volunteers", label: "sections.volunteers", Screen: Volunteers, needs: ["keep_volunteers_register"], hub: true },
] as const satisfies readonly Section[];

export type SectionId = (typeof SECTIONS)[number]["id"];

export type SectionEntry = (typeof SECTIONS)[number];

/**
 * The sections a device with `rights` shows, in order (the n-th is Alt+n);
 * `paired`: the register is paired with a hub (`SessionInfo.role` is set).
 */
export function sectionsFor(rights: readonly Action[], paired: boolean): readonly SectionEntry[] {
  return SECTIONS.filter((s) => {
    const needs: Section["needs"] = "needs" in s ? s.needs : undefined;
    if ("hub" in s && s.hub && !paired) return false;
    return !needs || needs.some((a) => rights.includes(a));
  });
}

/** The sections a device shows that take a number (Alt+n is the n-th), in order. */
export function numberedSections(rights: readonly Action[], paired: boolean): readonly SectionEntry[] {
  return sectionsFor(rights, paired).filter((s) => !("letter" in s));
}

/** The key of a shown section's shortcut (after Alt+): its letter, or its number; none past the tenth. */
export function shortcutOf(section: SectionEntry, numbered: readonly SectionEntry[]): string | null {
  if ("letter" in section) return section.letter;
  return sectionKey(numbered.indexOf(section));
}

/** Whether a device with `rights` (paired with a hub or not) shows section `id`. */
export function sectionShown(id: SectionId, rights: readonly Action[], paired: boolean): boolean {
  return sectionsFor(rights, paired).some((s) => s.id === id);
}

export const DEFAULT_SECTION: SectionId = "meetings";

export function sectionById(id: SectionId): Section {
  return SECTIONS.find((s) => s.id === id) ?? SECTIONS[0];
}
