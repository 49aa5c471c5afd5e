/**
 * Names of things the Rust side sends as keys or ids: activity types
 * (labels live in the project document, in both languages) and labs.
 */
import type { ActivityType, Lab, LabId } from "../bindings";
import type { Language } from "../i18n";

/** The activity's label in `lang`, or its key when the type is unknown here. */
export function activityLabel(types: readonly ActivityType[], key: string, lang: Language): string {
  const type = types.find((a) => a.key === key);
  if (!type) return key;
  return lang === "en" ? type.label_en : type.label_it;
}

/** "3 · Pavia Ovest", or the id's start when the lab is unknown here. */
export function labName(labs: readonly Lab[], id: LabId): string {
  const lab = labs.find((l) => l.id === id);
  return lab ? `${lab.number} · ${lab.name}` : id.slice(0, 8);
}
