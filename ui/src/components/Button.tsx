import type { ButtonHTMLAttributes, TargetedMouseEvent } from "preact";
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
      {busy && <Spinner decorative size="small" />}
      <span class="btn__label">{children}</span>
    </button>
  );
}
