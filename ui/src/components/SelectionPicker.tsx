import { useId } from "preact/hooks";
import type { Lab, LabId, Selection } from "../bindings";
import { useI18n } from "../i18n";
import { compareIsoDates, isIsoDate, parseIsoDate, toIsoDate, type IsoDate } from "../lib/dates";
import { Button } from "./Button";
import { TextField } from "./TextField";
import "./widgets.css";

/** The first day the project can have data for: "everything" starts here. */
export const PROJECT_START: IsoDate = "2020-01-01";

/** What the picker edits: labs ("all" or some) and a period, both ends included. */
export interface SelectionValue {
  labs: "all" | LabId[];
  from: IsoDate;
  to: IsoDate;
}

export type QuickPeriod = "year" | "last12" | "all";

export const QUICK_PERIODS: readonly QuickPeriod[] = ["year", "last12", "all"];

/**
 * The period of a quick choice, ending today:
 * - `year`: from 1 January of this year;
 * - `last12`: the last twelve calendar months, this one included (from
 *   the first day of the month eleven months ago);
 * - `all`: from the start of the project.
 */
export function quickPeriod(kind: QuickPeriod, today: IsoDate): { from: IsoDate; to: IsoDate } {
  const { year, month } = parseIsoDate(today);
  switch (kind) {
    case "year":
      return { from: toIsoDate({ year, month: 1, day: 1 }), to: today };
    case "last12": {
      const back = month - 11;
      const from = back >= 1 ? { year, month: back, day: 1 } : { year: year - 1, month: back + 12, day: 1 };
      return { from: toIsoDate(from), to: today };
    }
    case "all":
      return { from: PROJECT_START, to: today };
  }
}

/** Which quick choice `value`'s period is, if any. */
export function matchingQuickPeriod(value: SelectionValue, today: IsoDate): QuickPeriod | null {
  for (const kind of QUICK_PERIODS) {
    const p = quickPeriod(kind, today);
    if (p.from === value.from && p.to === value.to) return kind;
  }
  return null;
}

/** Every lab, from the start of the project to today. */
export function defaultSelection(today: IsoDate): SelectionValue {
  return { labs: "all", ...quickPeriod("all", today) };
}

export type SelectionProblem = "from" | "to" | "order" | "labs";

/** What is wrong with a value, if anything (the query waits until it is right). */
export function selectionProblem(value: SelectionValue): SelectionProblem | null {
  if (!isIsoDate(value.from)) return "from";
  if (!isIsoDate(value.to)) return "to";
  if (compareIsoDates(value.from, value.to) > 0) return "order";
  if (value.labs !== "all" && value.labs.length === 0) return "labs";
  return null;
}

/** The Rust side's `Selection` (`Labs` is `"all"` or `{ only: [...] }`). */
export function toSelection(value: SelectionValue): Selection {
  return {
    labs: value.labs === "all" ? "all" : { only: [...value.labs] },
    period: { from: value.from, to: value.to },
  };
}

/** "3 · Pavia Ovest". */
export function labTitle(lab: Lab): string {
  return `${lab.number} · ${lab.name}`;
}

export interface SelectionPickerProps {
  value: SelectionValue;
  onChange: (value: SelectionValue) => void;
  labs: Lab[];
  today: IsoDate;
  /** `single`: all labs or one (a select); `multiple`: all or any set (checkboxes). */
  labMode?: "single" | "multiple";
}

/**
 * Labs and period of a report, shared by Indicatori and Esportazioni:
 * two dates with quick choices (this year, last 12 months, everything)
 * and the labs.
 */
export function SelectionPicker({ value, onChange, labs, today, labMode = "single" }: SelectionPickerProps) {
  const { t } = useI18n();
  const id = useId();
  const problem = selectionProblem(value);
  const current = matchingQuickPeriod(value, today);
  const set = (patch: Partial<SelectionValue>) => onChange({ ...value, ...patch });

  const dateError = (which: "from" | "to"): string | undefined => {
    if (problem === which) return t("widgets.selection.invalidDate");
    if (problem === "order" && which === "to") return t("widgets.selection.order");
    return undefined;
  };

  return (
    <div class="selection">
      <fieldset class="fieldset">
        <legend>{t("widgets.selection.period")}</legend>
        <div class="selection__period">
          <TextField
            id={`sel-${id}-from`}
            type="date"
            label={t("widgets.selection.from")}
            value={value.from}
            onValueChange={(from) => set({ from })}
            error={dateError("from")}
          />
          <TextField
            id={`sel-${id}-to`}
            type="date"
            label={t("widgets.selection.to")}
            value={value.to}
            onValueChange={(to) => set({ to })}
            error={dateError("to")}
          />
          <div class="toolbar" role="group" aria-label={t("widgets.selection.quick")}>
            {QUICK_PERIODS.map((kind) => (
              <Button
                key={kind}
                variant={current === kind ? "primary" : "secondary"}
                aria-pressed={current === kind ? "true" : "false"}
                onClick={() => set(quickPeriod(kind, today))}
              >
                {t(`widgets.selection.quickChoices.${kind}`)}
              </Button>
            ))}
          </div>
        </div>
      </fieldset>
      <fieldset class="fieldset">
        <legend>{t("widgets.selection.labs")}</legend>
        {labMode === "single" ? (
          <label class="inline-field">
            <span>{t("widgets.selection.lab")}</span>
            <select
              class="select"
              value={value.labs === "all" ? "" : (value.labs[0] ?? "")}
              onChange={(e) => {
                const v = (e.currentTarget as HTMLSelectElement).value;
                set({ labs: v === "" ? "all" : [v] });
              }}
            >
              <option value="">{t("widgets.selection.allLabs")}</option>
              {labs.map((lab) => (
                <option key={lab.id} value={lab.id}>
                  {labTitle(lab)}
                </option>
              ))}
            </select>
          </label>
        ) : (
          <>
            <div class="choices">
              <label class="choice">
                <input
                  type="radio"
                  name={`sel-${id}-labs`}
                  checked={value.labs === "all"}
                  onChange={() => set({ labs: "all" })}
                />
                {t("widgets.selection.allLabs")}
              </label>
              <label class="choice">
                <input
                  type="radio"
                  name={`sel-${id}-labs`}
                  checked={value.labs !== "all"}
                  onChange={() => set({ labs: labs.map((l) => l.id) })}
                />
                {t("widgets.selection.someLabs")}
              </label>
            </div>
            {value.labs !== "all" && (
              <div class="choices choices--column" role="group" aria-label={t("widgets.selection.someLabs")}>
                {labs.map((lab) => {
                  const chosen = value.labs as LabId[];
                  const on = chosen.includes(lab.id);
                  return (
                    <label class="choice" key={lab.id}>
                      <input
                        type="checkbox"
                        checked={on}
                        onChange={() =>
                          set({ labs: on ? chosen.filter((l) => l !== lab.id) : labs.map((l) => l.id).filter((l) => l === lab.id || chosen.includes(l)) })
                        }
                      />
                      {labTitle(lab)}
                    </label>
                  );
                })}
                {problem === "labs" && (
                  <p class="field__error" role="alert">
                    {t("widgets.selection.noLabs")}
                  </p>
                )}
              </div>
            )}
          </>
        )}
      </fieldset>
    </div>
  );
}
