/**
 * The sections of the app, in navigation order. Navigation is app state (no
 * router): the shell keeps a `SectionId` and renders its `Screen`. The
 * position in the list a device shows (`sectionsFor(role)`) is also the
 * shortcut: Alt+1 … Alt+9. A section with `roles` is shown only to those
 * device roles (`null`: the unpaired demo register); keep such sections
 * last, so that the shortcuts of the others are the same on every laptop.
 *
 * To add a section: a key under `sections` in both catalogues, a file in
 * `src/screens/`, and a line here.
 */
import type { FunctionComponent } from "preact";
import type { DeviceRole } from "../bindings";
import type { Key } from "../i18n";
import { Exports } from "../screens/Exports";
import { Families } from "../screens/Families";
import { Indicators } from "../screens/Indicators";
import { Meetings } from "../screens/Meetings";
import { People } from "../screens/People";
import { Privacy } from "../screens/Privacy";
import { Settings } from "../screens/Settings";
import { Sync } from "../screens/Sync";
import { Training } from "../screens/Training";

export interface Section {
  id: string;
  /** The catalogue key of its name (nav, title, help). */
  label: Key;
  Screen: FunctionComponent;
  /** Only these device roles see it (`null`: the demo register); everyone when absent. */
  roles?: readonly (DeviceRole | null)[];
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
  // Coordinators (and the demo register) see all of it; leads the audit trail.
  { id: "privacy", label: "sections.privacy", Screen: Privacy, roles: [null, "coordinator", "lead"] },
] as const satisfies readonly Section[];

export type SectionId = (typeof SECTIONS)[number]["id"];

export type SectionEntry = (typeof SECTIONS)[number];

/** The sections a device with `role` shows, in order (the n-th is Alt+n). */
export function sectionsFor(role: DeviceRole | null): readonly SectionEntry[] {
  return SECTIONS.filter((s) => {
    const roles: Section["roles"] = "roles" in s ? s.roles : undefined;
    return !roles || roles.includes(role);
  });
}

/** Whether a device with `role` shows section `id`. */
export function sectionShown(id: SectionId, role: DeviceRole | null): boolean {
  return sectionsFor(role).some((s) => s.id === id);
}

export const DEFAULT_SECTION: SectionId = "meetings";

export function sectionById(id: SectionId): Section {
  return SECTIONS.find((s) => s.id === id) ?? SECTIONS[0];
}
