/** Focus helpers shared by the dialog's trap and the shell. */

const FOCUSABLE = [
  "a[href]",
  "area[href]",
  "button",
  "input:not([type='hidden'])",
  "select",
  "textarea",
  "iframe",
  "summary",
  "[contenteditable='true']",
  "[tabindex]",
].join(",");

/** The elements of `root` that Tab can reach, in document order. */
export function tabbables(root: ParentNode): HTMLElement[] {
  return Array.from(root.querySelectorAll<HTMLElement>(FOCUSABLE)).filter(
    (el) =>
      el.tabIndex >= 0 &&
      !(el as HTMLButtonElement).disabled &&
      el.closest("[hidden], [inert]") === null,
  );
}

/** Focuses `el` if it is still in the page; returns whether it did. */
export function focusIfPossible(el: Element | null | undefined): boolean {
  if (!(el instanceof HTMLElement) || !el.isConnected) return false;
  el.focus();
  return document.activeElement === el;
}

/**
 * Moves focus to the first heading of `container` (making it focusable from
 * script only), or to the container itself: after navigating, a screen
 * reader then reads the new screen's title.
 */
export function focusHeading(container: HTMLElement | null): void {
  if (!container) return;
  const heading = container.querySelector<HTMLElement>("h1");
  const target = heading ?? container;
  if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
  target.focus();
}

/** Whether a key event comes from somewhere the user is typing text. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) {
    return !["button", "checkbox", "radio", "submit", "reset", "range", "color", "file"].includes(
      target.type,
    );
  }
  return false;
}
