import type { RefObject } from "preact";
import { useId } from "preact/hooks";
import { cx } from "../lib/cx";

export interface SelectOption {
  value: string;
  label: string;
}

export interface SelectFieldProps {
  /** Always visible above the field. */
  label: string;
  value: string;
  options: readonly SelectOption[];
  onValueChange: (value: string) => void;
  hint?: string | undefined;
  error?: string | undefined;
  disabled?: boolean;
  id?: string;
  selectRef?: RefObject<HTMLSelectElement | null>;
  class?: string;
  /** Put on the <select> itself. */
  "data-testid"?: string;
}

/** A labelled <select>, styled and wired like `TextField` (hint and error read with it). */
export function SelectField({
  label,
  value,
  options,
  onValueChange,
  hint,
  error,
  disabled,
  id,
  selectRef,
  class: cls,
  "data-testid": testId,
}: SelectFieldProps) {
  const autoId = useId();
  const fieldId = id ?? `select-${autoId}`;
  const hintId = `${fieldId}-hint`;
  const errorId = `${fieldId}-error`;
  const describedBy = [hint ? hintId : "", error ? errorId : ""].filter(Boolean).join(" ");
  return (
    <div class={cx("field", error && "field--invalid", cls)}>
      <label class="field__label" for={fieldId}>
        {label}
      </label>
      {hint && (
        <p class="field__hint" id={hintId}>
          {hint}
        </p>
      )}
      <select
        id={fieldId}
        ref={selectRef}
        class="field__input"
        value={value}
        disabled={disabled}
        data-testid={testId}
        aria-describedby={describedBy || undefined}
        aria-invalid={error ? "true" : undefined}
        onChange={(e) => onValueChange((e.currentTarget as HTMLSelectElement).value)}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {error && (
        <p class="field__error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}
