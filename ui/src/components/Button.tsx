import type { ButtonHTMLAttributes, TargetedMouseEvent } from "preact";
import { useEffect, useState } from "preact/hooks";
import { cx } from "../lib/cx";
import { Spinner } from "./Spinner";

export type ButtonVariant = "primary" | "secondary" | "danger" | "quiet";

export interface ButtonProps
  extends Omit<ButtonHTMLAttributes<HTMLButtonElement>, "class" | "className" | "type"> {
  variant?: ButtonVariant;
  /** Defaults to "button" (not "submit"): a form submits only through an explicit submit button. */
  type?: "button" | "submit" | "reset";
  /**
   * Work in progress: shows a spinner and ignores clicks, but stays focusable
   * (a disabled button would drop keyboard focus).
   */
  busy?: boolean;
  class?: string;
}

/**
 * A busy button's spinner appears at once but turns only after this long.
 * Most work a button starts (unlocking, saving) ends sooner, and a turning
 * spinner is not free: without a GPU, WebKit composites every frame of it
 * in software on the same cores as the work it waits for (unlocking took
 * up to 1.7 s longer in the window than through IPC under load; issue 12,
 * decision 0022).
 */
export const SPINNER_STILL_MS = 600;

/** Whether `busy` has lasted `ms` without a break. */
function useLasted(busy: boolean, ms: number): boolean {
  const [lasted, setLasted] = useState(false);
  useEffect(() => {
    setLasted(false);
    if (!busy) return;
    const timer = setTimeout(() => setLasted(true), ms);
    return () => clearTimeout(timer);
  }, [busy, ms]);
  return busy && lasted;
}

/** A button with the app's look. Use a verb as its text: "Salva", "Blocca". */
export function Button({
  variant = "secondary",
  type = "button",
  busy = false,
  class: cls,
  children,
  onClick,
  ...rest
}: ButtonProps) {
  const turning = useLasted(busy, SPINNER_STILL_MS);
  const handleClick = (event: TargetedMouseEvent<HTMLButtonElement>) => {
    if (busy) {
      event.preventDefault();
      return;
    }
    onClick?.(event);
  };
  return (
    <button
      {...rest}
      type={type}
      class={cx("btn", `btn--${variant}`, busy && "is-busy", cls)}
      aria-busy={busy ? "true" : undefined}
      aria-disabled={busy ? "true" : rest["aria-disabled"]}
      onClick={handleClick}
    >
      {busy && <Spinner decorative size="small" class={turning ? undefined : "spinner-wrap--still"} />}
      <span class="btn__label">{children}</span>
    </button>
  );
}
