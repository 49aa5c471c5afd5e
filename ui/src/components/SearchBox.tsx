import { useEffect, useId, useRef, useState } from "preact/hooks";
import { useI18n } from "../i18n";
import { cx } from "../lib/cx";

export interface SearchBoxProps {
  /** Visible label (and the name of the search landmark). */
  label: string;
  /** Called with the query after the user stops typing for `delay` ms, at once on Enter. */
  onSearch: (query: string) => void;
  /** Debounce in milliseconds; 250 by default (snappy, yet light on old laptops). */
  delay?: number;
  initialValue?: string;
  /** Hide the label visually (it is still read); only where the context makes the purpose obvious. */
  labelHidden?: boolean;
  placeholder?: string;
  class?: string;
  /** Put on the <input> itself (end-to-end tests type into it). */
  "data-testid"?: string;
}

/**
 * A search field inside a role="search" landmark. Typing is debounced;
 * Enter searches at once; Esc (or the clear button) empties it.
 */
export function SearchBox({
  label,
  onSearch,
  delay = 250,
  initialValue = "",
  labelHidden = false,
  placeholder,
  class: cls,
  "data-testid": testId,
}: SearchBoxProps) {
  const { t } = useI18n();
  const id = `search-${useId()}`;
  const [value, setValue] = useState(initialValue);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const input = useRef<HTMLInputElement>(null);
  const latest = useRef(onSearch);
  latest.current = onSearch;

  const cancel = () => {
    if (timer.current !== undefined) clearTimeout(timer.current);
    timer.current = undefined;
  };
  const searchNow = (query: string) => {
    cancel();
    latest.current(query);
  };
  useEffect(() => cancel, []);

  const onInput = (event: Event) => {
    const next = (event.currentTarget as HTMLInputElement).value;
    setValue(next);
    cancel();
    timer.current = setTimeout(() => {
      timer.current = undefined;
      latest.current(next);
    }, delay);
  };

  const clear = () => {
    setValue("");
    searchNow("");
    input.current?.focus();
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Enter") {
      event.preventDefault();
      searchNow(value);
    } else if (event.key === "Escape" && value !== "") {
      // Only consume Esc when there is something to clear (else it may close a dialog).
      event.preventDefault();
      event.stopPropagation();
      clear();
    }
  };

  return (
    <div class={cx("search", cls)} role="search" aria-labelledby={`${id}-label`}>
      <label id={`${id}-label`} for={id} class={cx("field__label", labelHidden && "visually-hidden")}>
        {label}
      </label>
      <div class="search__row">
        <input
          ref={input}
          id={id}
          class="field__input search__input"
          type="search"
          data-testid={testId}
          value={value}
          placeholder={placeholder}
          autoComplete="off"
          spellcheck={false}
          onInput={onInput}
          onKeyDown={onKeyDown}
        />
        {value !== "" && (
          <button type="button" class="btn btn--quiet search__clear" onClick={clear}>
            <span aria-hidden="true">×</span>
            <span class="visually-hidden">{t("common.clearSearch")}</span>
          </button>
        )}
      </div>
    </div>
  );
}
