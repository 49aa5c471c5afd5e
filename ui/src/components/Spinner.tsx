import { useI18n } from "../i18n";
import { cx } from "../lib/cx";

export interface SpinnerProps {
  /** What is loading, read by screen readers; defaults to "Caricamento…". */
  label?: string;
  /** Only the animation, hidden from screen readers (e.g. inside a busy button). */
  decorative?: boolean;
  size?: "small" | "medium" | "large";
  class?: string;
}

/** A loading indicator; announces its label politely unless decorative. */
export function Spinner({ label, decorative = false, size = "medium", class: cls }: SpinnerProps) {
  const { t } = useI18n();
  const circle = <span class={cx("spinner", `spinner--${size}`)} aria-hidden="true" />;
  if (decorative) return <span class={cx("spinner-wrap", cls)}>{circle}</span>;
  return (
    <span class={cx("spinner-wrap", cls)} role="status">
      {circle}
      <span class="visually-hidden">{label ?? t("common.loading")}</span>
    </span>
  );
}
