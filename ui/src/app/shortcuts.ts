/**
 * The global keyboard shortcuts, as a pure function of the key event (easy
 * to test, and the one place to read them all). They are listed for users
 * in the help dialog (`HelpDialog.tsx`): keep the two in step.
 *
 * - Alt+1 … Alt+9, Alt+0: go to the n-th numbered section the device shows (Alt+0: the tenth), by
 *   physical key, so it works on Italian and English layouts alike, and on the numeric keypad.
 * - Alt+<letter>: go to a section with a letter of its own (Alt+C: the conflicting edits), which
 *   takes no number, so that the others keep theirs on every laptop; by physical key too.
 * - ? (or F1): open the help, unless the user is typing in a field.
 */
import { isTypingTarget } from "../lib/focus";

export type ShortcutAction =
  | { type: "section"; index: number }
  | { type: "letter"; letter: string }
  | { type: "help" };

type KeyLike = Pick<KeyboardEvent, "key" | "code" | "altKey" | "ctrlKey" | "metaKey" | "shiftKey" | "target">;

/** The digit of the n-th section's shortcut (index 0 → "1", index 9 → "0"); none past the tenth. */
export function sectionKey(index: number): string | null {
  if (index < 0 || index > 9) return null;
  return index === 9 ? "0" : String(index + 1);
}

/**
 * `sectionCount`: how many numbered sections the device shows; `letters`: the
 * letters (upper case) of the sections with their own.
 */
export function matchShortcut(
  event: KeyLike,
  sectionCount: number,
  letters: readonly string[] = [],
): ShortcutAction | null {
  if (event.altKey && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
    const digit = /^(?:Digit|Numpad)([0-9])$/.exec(event.code)?.[1];
    if (digit !== undefined) {
      const index = digit === "0" ? 9 : Number(digit) - 1;
      return index < sectionCount ? { type: "section", index } : null;
    }
    const letter = /^Key([A-Z])$/.exec(event.code)?.[1];
    if (letter !== undefined && letters.includes(letter)) return { type: "letter", letter };
    return null;
  }
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  if (event.key === "F1") return { type: "help" };
  if (event.key === "?" && !isTypingTarget(event.target)) return { type: "help" };
  return null;
}
