import { cx } from "../lib/cx";
import "./widgets.css";

export interface ProgressBarProps {
  /** The figure reached (may exceed `max`: the bar stops at full). */
  value: number;
  /** The figure that fills the bar; 0 or less shows an empty bar. */
  max: number;
  /** The accessible name ("Famiglie accompagnate"). */
  label: string;
  /** How a screen reader reads the value ("412 di 800, 52%"); shown beside the bar with `showText`. */
  valueText: string;
  showText?: boolean;
  size?: "small" | "medium";
  class?: string;
}

/** `value / max`, between 0 and 1 (0 when `max` is not positive). */
export function progressRatio(value: number, max: number): number {
  if (!(max > 0) || !(value > 0)) return 0;
  return Math.min(1, value / max);
}

/** Whole percent of `value / max`, not capped (`412 / 800` → 52; 0 when `max` is 0). */
export function percent(value: number, max: number): number {
  if (!(max > 0)) return 0;
  return Math.floor((Math.max(0, value) / max) * 100);
}

/**
 * A horizontal progress bar: role="progressbar" with its figures for
 * screen readers; the bar itself is SVG (no style attributes, which the
 * CSP forbids), green once full.
 */
export function ProgressBar({
  value,
  max,
  label,
  valueText,
  showText = false,
  size = "medium",
  class: cls,
}: ProgressBarProps) {
  const ratio = progressRatio(value, max);
  const safeMax = max > 0 ? max : 1;
  return (
    <div
      class={cx("progress", `progress--${size}`, ratio >= 1 && "progress--done", cls)}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={safeMax}
      aria-valuenow={Math.min(Math.max(0, value), safeMax)}
      aria-valuetext={valueText}
    >
      <svg class="progress__track" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">
        <rect class="progress__bg" x="0" y="0" width="100" height="10" rx="2" />
        {ratio > 0 && <rect class="progress__fill" x="0" y="0" width={(ratio * 100).toFixed(2)} height="10" rx="2" />}
      </svg>
      {showText && (
        <span class="progress__text" aria-hidden="true">
          {valueText}
        </span>
      )}
    </div>
  );
}
