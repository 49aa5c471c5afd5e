import type { ComponentChildren, RefObject } from "preact";
import type { Person } from "../bindings";
import { useI18n } from "../i18n";
import { LEGAL_BASES, SPECIAL_CONDITIONS, type ConsentDraft, type ConsentField } from "./consentForm";
import { SelectField } from "./SelectField";
import { TextField } from "./TextField";

/** The fields that take focus when the check finds them wrong. */
export interface ConsentRefs {
  basis: RefObject<HTMLSelectElement | null>;
  notice: RefObject<HTMLElement | null>;
  date: RefObject<HTMLElement | null>;
  collectedBy: RefObject<HTMLSelectElement | null>;
}

export interface ConsentFieldsProps {
  /** Prefix of every field's test id: `new-family` gives `new-family-basis`, … */
  idPrefix: string;
  /** The line under the legend. */
  intro: string;
  value: ConsentDraft;
  onChange: <K extends keyof ConsentDraft>(field: K, value: ConsentDraft[K]) => void;
  errors: Partial<Record<ConsentField, string | undefined>>;
  refs: ConsentRefs;
  /** The lab's staff, for "collected by". */
  staff: readonly Person[];
  /** Who signs for the minors: each form asks in its own way. */
  children?: ComponentChildren;
}

/**
 * The legal basis record as a form (GDPR arts. 6, 7, 9): basis, art. 9
 * condition, notice version, date, who collected it, the guardian (given
 * by the caller) and the scopes. One section for registering a family
 * (`NewFamilyDialog`) and for renewing a family's record.
 */
export function ConsentFields({ idPrefix, intro, value, onChange, errors, refs, staff, children }: ConsentFieldsProps) {
  const { t } = useI18n();
  return (
    <fieldset class="consent-section" data-testid={`${idPrefix}-consent`}>
      <legend>{t("newFamily.consent.title")}</legend>
      <p class="muted">{intro}</p>
      <SelectField
        label={t("newFamily.consent.basis")}
        value={value.basis}
        options={[
          { value: "", label: t("newFamily.consent.choose") },
          ...LEGAL_BASES.map((b) => ({ value: b, label: t(`newFamily.consent.basisOption.${b}`) })),
        ]}
        onValueChange={(v) => onChange("basis", v as ConsentDraft["basis"])}
        error={errors.basis}
        selectRef={refs.basis}
        data-testid={`${idPrefix}-basis`}
      />
      <SelectField
        label={t("newFamily.consent.special")}
        value={value.special}
        options={[
          { value: "", label: t("newFamily.consent.specialNone") },
          ...SPECIAL_CONDITIONS.map((c) => ({ value: c, label: t(`newFamily.consent.specialOption.${c}`) })),
        ]}
        onValueChange={(v) => onChange("special", v as ConsentDraft["special"])}
        data-testid={`${idPrefix}-special`}
      />
      <TextField
        label={t("newFamily.consent.notice")}
        value={value.notice}
        onValueChange={(v) => onChange("notice", v)}
        error={errors.notice}
        required
        autoComplete="off"
        inputRef={refs.notice}
        data-testid={`${idPrefix}-notice`}
      />
      <TextField
        label={t("newFamily.consent.date")}
        type="date"
        value={value.date}
        onValueChange={(v) => onChange("date", v)}
        error={errors.date}
        required
        inputRef={refs.date}
        data-testid={`${idPrefix}-consent-date`}
      />
      <SelectField
        label={t("newFamily.consent.collectedBy")}
        value={value.collectedBy}
        options={[
          { value: "", label: t("newFamily.consent.collectedByChoose") },
          ...staff.map((p) => ({ value: p.id, label: `${p.first_name} ${p.last_name}` })),
        ]}
        onValueChange={(v) => onChange("collectedBy", v)}
        error={errors.collectedBy}
        selectRef={refs.collectedBy}
        data-testid={`${idPrefix}-collected-by`}
      />
      {children}
      <div class="choices">
        <label class="choice">
          <input
            type="checkbox"
            checked={value.photos}
            data-testid={`${idPrefix}-photos`}
            onChange={(e) => onChange("photos", (e.currentTarget as HTMLInputElement).checked)}
          />
          {t("newFamily.consent.photos")}
        </label>
        <label class="choice">
          <input
            type="checkbox"
            checked={value.contact}
            data-testid={`${idPrefix}-contact`}
            onChange={(e) => onChange("contact", (e.currentTarget as HTMLInputElement).checked)}
          />
          {t("newFamily.consent.contact")}
        </label>
      </div>
    </fieldset>
  );
}
