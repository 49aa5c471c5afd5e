import { createPortal, type ComponentChildren, type RefObject } from "preact";
import { useEffect, useId, useRef } from "preact/hooks";
import { useI18n } from "../i18n";
import { cx } from "../lib/cx";
import { focusIfPossible, tabbables } from "../lib/focus";

export interface DialogProps {
  /** Rendered only while open; closing unmounts it and gives focus back. */
  open: boolean;
  /** The visible title, which also names the dialog for screen readers. */
  title: string;
  /** Esc, the × button, or your own buttons: the owner decides and sets `open` false. */
  onClose: () => void;
  children?: ComponentChildren;
  /** Buttons at the bottom (e.g. Annulla / Salva). */
  footer?: ComponentChildren;
  /**
   * What gets focus on opening. By default the first control of the body,
   * or the dialog itself when the body has none (a screen reader then reads
   * the title). For destructive confirmations, point it at "Annulla".
   */
  initialFocus?: RefObject<HTMLElement | null>;
  size?: "small" | "medium" | "large";
  class?: string;
}

/**
 * A modal dialog: role="dialog" + aria-modal, labelled by its title; Tab and
 * Shift+Tab stay inside; Esc closes; the rest of the page is `inert` while it
 * is open; on closing, focus returns to where it was (usually the button
 * that opened it). Rendered at the end of <body> through a portal.
 */
export function Dialog(props: DialogProps) {
  if (!props.open) return null;
  return createPortal(<DialogWindow {...props} />, document.body);
}

function DialogWindow({
  title,
  onClose,
  children,
  footer,
  initialFocus,
  size = "medium",
  class: cls,
}: DialogProps) {
  const { t } = useI18n();
  const titleId = `dialog-${useId()}`;
  const backdrop = useRef<HTMLDivElement>(null);
  const dialog = useRef<HTMLDivElement>(null);
  const body = useRef<HTMLDivElement>(null);
  const latestClose = useRef(onClose);
  latestClose.current = onClose;

  useEffect(() => {
    const opener = document.activeElement;
    const own = backdrop.current;

    // Make everything else inert (not focusable, not clickable, hidden from
    // screen readers), except live regions so messages are still announced.
    const madeInert: Element[] = [];
    for (const el of Array.from(document.body.children)) {
      if (el === own || el.hasAttribute("inert") || el.hasAttribute("data-live-region")) continue;
      if (el.tagName === "SCRIPT") continue;
      el.setAttribute("inert", "");
      madeInert.push(el);
    }
    document.body.classList.add("has-dialog");

    const first =
      initialFocus?.current ?? (body.current ? tabbables(body.current)[0] : undefined) ?? dialog.current;
    focusIfPossible(first);

    // Focus that escapes anyway (a click on the backdrop, a script) comes back.
    const onFocusIn = (event: FocusEvent) => {
      const d = dialog.current;
      if (d && event.target instanceof Node && !d.contains(event.target)) {
        focusIfPossible(tabbables(d)[0] ?? d);
      }
    };
    document.addEventListener("focusin", onFocusIn);

    return () => {
      document.removeEventListener("focusin", onFocusIn);
      for (const el of madeInert) el.removeAttribute("inert");
      if (!document.querySelector(".dialog-backdrop")) document.body.classList.remove("has-dialog");
      focusIfPossible(opener);
    };
    // Runs once per opening: `initialFocus` is read at that moment only.
  }, []);

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      latestClose.current();
      return;
    }
    if (event.key !== "Tab" || !dialog.current) return;
    const items = tabbables(dialog.current);
    const active = document.activeElement;
    const firstItem = items[0];
    const lastItem = items[items.length - 1];
    if (!firstItem || !lastItem) {
      event.preventDefault();
      dialog.current.focus();
      return;
    }
    const inside = active instanceof Node && dialog.current.contains(active);
    if (event.shiftKey) {
      if (!inside || active === firstItem || active === dialog.current) {
        event.preventDefault();
        lastItem.focus();
      }
    } else if (!inside || active === lastItem) {
      event.preventDefault();
      firstItem.focus();
    }
  };

  return (
    <div class="dialog-backdrop" ref={backdrop}>
      <div
        ref={dialog}
        class={cx("dialog", `dialog--${size}`, cls)}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        tabIndex={-1}
        onKeyDown={onKeyDown}
      >
        <div class="dialog__header">
          <h2 class="dialog__title" id={titleId}>
            {title}
          </h2>
          <button type="button" class="btn btn--quiet dialog__close" onClick={() => latestClose.current()}>
            <span aria-hidden="true">×</span>
            <span class="visually-hidden">{t("common.close")}</span>
          </button>
        </div>
        <div class="dialog__body" ref={body}>
          {children}
        </div>
        {footer && <div class="dialog__footer">{footer}</div>}
      </div>
    </div>
  );
}
