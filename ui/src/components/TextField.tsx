import type { Ref, RefObject } from "preact";
import { useId } from "preact/hooks";
import { useI18n } from "../i18n";
import { cx } from "../lib/cx";

export interface TextFieldProps {
  /** Always visible above the field (never only a placeholder). */
  label: string;
  value: string;
  /** Called on every keystroke with the new text. */
  onValueChange: (value: string) => void;
  /** Help shown under the label and read with the field. */
  hint?: string | undefined;
  /** The validation message; when set, the field is marked invalid and reads it. */
  error?: string | undefined;
  /** Marks the field "obbligatorio" (checked by the app, not the browser's bubbles). */
  required?: boolean;
  type?: "text" | "email" | "tel" | "password" | "number" | "date" | "time" | "url";
  /** A <textarea> instead of an <input>. */
  multiline?: boolean;
  rows?: number;
  id?: string;
  name?: string;
  autoComplete?: string;
  inputMode?: "text" | "numeric" | "decimal" | "tel" | "email" | "url" | "search" | "none";
  maxLength?: number;
  disabled?: boolean;
  readOnly?: boolean;
  placeholder?: string;
  onBlur?: () => void;
  /** To focus the field from outside (e.g. the first invalid one after saving). */
  inputRef?: RefObject<HTMLElement | null>;
  class?: string;
  /** Put on the <input>/<textarea> itself (end-to-end tests type into it). */
  "data-testid"?: string;
  onKeyDown?: (event: KeyboardEvent) => void;
  min?: string | number;
  max?: string | number;
  step?: string | number;
}

/**
 * A labelled text field. The label is a real <label for>, the hint and the
 * error are linked with aria-describedby, and an error sets aria-invalid.
 */
export function TextField({
  label,
  value,
  onValueChange,
  hint,
  error,
  required = false,
  type = "text",
  multiline = false,
  rows = 4,
  id,
  inputRef,
  class: cls,
  ...rest
}: TextFieldProps) {
  const { t } = useI18n();
  const autoId = useId();
  const fieldId = id ?? `field-${autoId}`;
  const hintId = `${fieldId}-hint`;
  const errorId = `${fieldId}-error`;
  const describedBy = [hint ? hintId : "", error ? errorId : ""].filter(Boolean).join(" ");

  const common = {
    ...rest,
    id: fieldId,
    class: "field__input",
    value,
    "aria-describedby": describedBy || undefined,
    "aria-invalid": error ? ("true" as const) : undefined,
    "aria-required": required ? ("true" as const) : undefined,
    onInput: (event: Event) => onValueChange((event.currentTarget as HTMLInputElement).value),
  };

  return (
    <div class={cx("field", error && "field--invalid", cls)}>
      <label class="field__label" for={fieldId}>
        {label}
        {required && <span class="field__required"> ({t("common.required")})</span>}
      </label>
      {hint && (
        <p class="field__hint" id={hintId}>
          {hint}
        </p>
      )}
      {multiline ? (
        <textarea {...common} rows={rows} ref={inputRef as Ref<HTMLTextAreaElement> | undefined} />
      ) : (
        <input
          {...common}
          // Preact's input types are a union keyed on `type`; ours is checked above.
          type={type as "text"}
          ref={inputRef as Ref<HTMLInputElement> | undefined} />
      )}
      {error && (
        <p class="field__error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}
