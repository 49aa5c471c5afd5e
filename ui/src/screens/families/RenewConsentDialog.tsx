import { useLayoutEffect, useRef, useState } from "preact/hooks";
import { appErrorOf, call } from "../../api/call";
import { errorMessage } from "../../api/errors";
import { useSession } from "../../app/session";
import { commands, type Household, type Person } from "../../bindings";
import { Button } from "../../components/Button";
import { ConsentFields } from "../../components/ConsentFields";
import {
  CONSENT_SERVER_FIELDS,
  GUARDIAN_OTHER,
  hasMinorOn,
  possibleGuardians,
  renewalDraft,
  renewalErrors,
  toConsent,
  type ConsentDraft,
  type ConsentField,
  type RenewalDraft,
} from "../../components/consentForm";
import { Dialog } from "../../components/Dialog";
import { SelectField } from "../../components/SelectField";
import { TextField } from "../../components/TextField";
import { useToast } from "../../components/Toast";
import { useI18n } from "../../i18n";
import { isIsoDate } from "../../lib/dates";

export interface RenewConsentDialogProps {
  open: boolean;
  household: Household;
  /** The lab's staff, for "collected by". */
  staff: readonly Person[];
  onClose: () => void;
  /** Called once the record is stored; the owner closes the dialog and reloads the family. */
  onDone: () => Promise<void>;
}

/** The order in which the first wrong field gets focus. */
const FIELD_ORDER: readonly ConsentField[] = ["basis", "notice", "date", "collectedBy", "guardian"];

/**
 * A new legal basis record for a registered family: a newer privacy
 * notice, other scopes, a parent or guardian for a child born since, or a
 * first record for a family registered without one. Starts from the
 * current record, dated today and collected by whoever uses the app; the
 * guardian is an adult member of the family or someone named. The core
 * checks it again (`renewConsent`) against the family as it is now.
 */
export function RenewConsentDialog({ open, household: h, staff, onClose, onDone }: RenewConsentDialogProps) {
  const { t } = useI18n();
  const { info } = useSession();
  const toast = useToast();
  // Whoever uses the app collected it, when they are among the lab's staff.
  const me = info.operator?.id;
  const operator = me !== undefined && staff.some((p) => p.id === me) ? me : null;
  const [draft, setDraft] = useState<RenewalDraft>(() => renewalDraft(h.consent, info.today, operator));
  const [errors, setErrors] = useState<Partial<Record<ConsentField, string>>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const refs = {
    basis: useRef<HTMLSelectElement>(null),
    notice: useRef<HTMLElement>(null),
    date: useRef<HTMLElement>(null),
    collectedBy: useRef<HTMLSelectElement>(null),
  };
  const guardianSelect = useRef<HTMLSelectElement>(null);
  const guardianName = useRef<HTMLElement>(null);

  // Every opening starts again from the family's current record; a reload
  // of the family while the dialog is open leaves what was typed alone.
  // Before the dialog can take a click or a key (a layout effect runs in
  // the commit): reset after paint, it wiped a choice made in between
  // (seen in CI: a withdrawal refused for want of who recorded it).
  useLayoutEffect(() => {
    if (open) {
      setDraft(renewalDraft(h.consent, info.today, operator));
      setErrors({});
      setFailure(null);
      setBusy(false);
    }
  }, [open]);

  const set = <K extends keyof ConsentDraft>(field: K, value: ConsentDraft[K]) => {
    setDraft((d) => ({ ...d, [field]: value }));
    if (errors[field as ConsentField]) setErrors((e) => ({ ...e, [field]: undefined }));
  };
  const setGuardian = (choice: RenewalDraft["guardianChoice"]) => {
    setDraft((d) => ({ ...d, guardianChoice: choice }));
    if (errors.guardian) setErrors((e) => ({ ...e, guardian: undefined }));
  };

  const on = isIsoDate(draft.date) ? draft.date : info.today;
  const minors = hasMinorOn(h, on);
  const adults = possibleGuardians(h, on);

  const focus = (field: ConsentField) => {
    if (field === "guardian") {
      (draft.guardianChoice === GUARDIAN_OTHER ? guardianName : guardianSelect).current?.focus();
    } else {
      refs[field].current?.focus();
    }
  };

  const save = async () => {
    if (busy) return;
    const found: Partial<Record<ConsentField, string>> = {};
    for (const [field, key] of Object.entries(renewalErrors(draft, info.today, h))) {
      found[field as ConsentField] = t(`newFamily.consent.errors.${key}`);
    }
    setErrors(found);
    const firstBad = FIELD_ORDER.find((f) => found[f]);
    if (firstBad) {
      focus(firstBad);
      return;
    }
    setBusy(true);
    setFailure(null);
    try {
      await call(commands.renewConsent(h.id, toConsent(draft)));
      toast.success(t("families.consent.renewed"));
      setBusy(false);
      await onDone();
    } catch (err) {
      setBusy(false);
      // A refused field goes next to it; anything else under the form.
      const e = appErrorOf(err);
      const field = e?.kind === "invalid" ? CONSENT_SERVER_FIELDS[e.field] : undefined;
      if (field) {
        setErrors({ [field]: errorMessage(err) });
        focus(field);
      } else {
        setFailure(errorMessage(err));
      }
    }
  };

  const named = draft.guardianChoice === GUARDIAN_OTHER;
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={t("families.consent.renewTitle")}
      size="medium"
      footer={
        <>
          <Button onClick={onClose}>{t("common.cancel")}</Button>
          <Button variant="primary" busy={busy} onClick={() => void save()} data-testid="renew-consent-save">
            {t("families.consent.renewSave")}
          </Button>
        </>
      }
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
        noValidate
        data-testid="renew-consent-form"
      >
        <ConsentFields
          idPrefix="renew-consent"
          intro={t("families.consent.renewIntro")}
          value={draft}
          onChange={set}
          errors={errors}
          refs={refs}
          staff={staff}
        >
          <SelectField
            label={t("families.consent.guardianChoice")}
            value={draft.guardianChoice}
            options={[
              {
                value: "",
                label: minors ? t("families.consent.guardianChoose") : t("families.consent.guardianNone"),
              },
              ...adults.map((m) => ({ value: m.id, label: `${m.first_name} ${m.last_name}` })),
              { value: GUARDIAN_OTHER, label: t("families.consent.guardianOther") },
            ]}
            onValueChange={setGuardian}
            hint={minors ? t("families.consent.guardianHint") : undefined}
            error={named ? undefined : errors.guardian}
            selectRef={guardianSelect}
            data-testid="renew-consent-guardian"
          />
          {named && (
            <TextField
              label={t("families.consent.guardianName")}
              value={draft.guardian}
              onValueChange={(v) => set("guardian", v)}
              error={errors.guardian}
              required
              autoComplete="off"
              inputRef={guardianName}
              data-testid="renew-consent-guardian-name"
            />
          )}
        </ConsentFields>
        {failure && (
          <p class="form-error" role="alert">
            {failure}
          </p>
        )}
      </form>
    </Dialog>
  );
}
