import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { appErrorOf, call } from "../api/call";
import { errorMessage } from "../api/errors";
import { useSession } from "../app/session";
import { commands, type LabId, type Person, type Registered } from "../bindings";
import { useI18n } from "../i18n";
import { Button } from "./Button";
import { ConsentFields } from "./ConsentFields";
import {
  CONSENT_SERVER_FIELDS,
  consentErrors,
  emptyConsent,
  isMinorOn,
  toNewConsent,
  type ConsentDraft,
  type ConsentField,
} from "./consentForm";
import { Dialog } from "./Dialog";
import { TextField } from "./TextField";

export interface NewFamilyDialogProps {
  open: boolean;
  /** The lab the family joins (its code uses the lab's number). */
  lab: LabId;
  onClose: () => void;
  /** Called once the family exists; the owner closes the dialog (set `open` false). */
  onRegistered: (reg: Registered) => void;
}

interface Draft {
  first: string;
  last: string;
  birthYear: string;
  phone: string;
}

const EMPTY: Draft = { first: "", last: "", birthYear: "", phone: "" };

type Field = keyof Draft | ConsentField;

/** The core's names for the fields of this form. */
const SERVER_FIELDS: Readonly<Record<string, Field>> = {
  "member.first_name": "first",
  "member.last_name": "last",
  "member.birth_year": "birthYear",
  "household.contacts": "phone",
  ...CONSENT_SERVER_FIELDS,
};

/** The order in which the first wrong field gets focus. */
const FIELD_ORDER: readonly Field[] = [
  "first",
  "last",
  "birthYear",
  "phone",
  "basis",
  "notice",
  "date",
  "collectedBy",
  "guardian",
];

/** `1985` → 1985; "" → null; anything else → undefined (not a year). */
export function parseBirthYear(text: string): number | null | undefined {
  const v = text.trim();
  if (v === "") return null;
  return /^\d{4}$/.test(v) ? Number(v) : undefined;
}

/**
 * Registers a family with the reference person (first and last name,
 * optionally birth year and phone) and its legal basis record, which is
 * required (GDPR arts. 6, 7, 9): quick enough to do during a meeting
 * without leaving it. The rest of the family's data is completed later on
 * its page. Used by Incontri and by Famiglie ("Registra famiglia").
 */
export function NewFamilyDialog({ open, lab, onClose, onRegistered }: NewFamilyDialogProps) {
  const { t } = useI18n();
  const { info } = useSession();
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [consent, setConsent] = useState<ConsentDraft>(() => emptyConsent(info.today));
  const [staff, setStaff] = useState<Person[]>([]);
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const refs: Record<Field, { current: HTMLElement | null }> = {
    first: useRef<HTMLElement>(null),
    last: useRef<HTMLElement>(null),
    birthYear: useRef<HTMLElement>(null),
    phone: useRef<HTMLElement>(null),
    basis: useRef<HTMLSelectElement>(null),
    notice: useRef<HTMLElement>(null),
    date: useRef<HTMLElement>(null),
    collectedBy: useRef<HTMLSelectElement>(null),
    guardian: useRef<HTMLElement>(null),
  };

  // Every opening starts from an empty form, dated today.
  // Before the dialog can take a click or a key (a layout effect runs in
  // the commit): reset after paint, it wiped a choice made in between
  // (seen in CI: a withdrawal refused for want of who recorded it).
  useLayoutEffect(() => {
    if (open) {
      setDraft(EMPTY);
      setConsent(emptyConsent(info.today));
      setErrors({});
      setFailure(null);
      setBusy(false);
    }
  }, [open, info.today]);

  // The lab's staff, for "collected by".
  useEffect(() => {
    if (!open) return;
    let live = true;
    call(commands.listStaff(lab)).then(
      (list) => live && setStaff(list),
      () => live && setStaff([]),
    );
    return () => {
      live = false;
    };
  }, [open, lab]);

  const set = (field: keyof Draft) => (value: string) => {
    setDraft((d) => ({ ...d, [field]: value }));
    if (errors[field]) setErrors((e) => ({ ...e, [field]: undefined }));
  };
  const setC =
    <K extends keyof ConsentDraft>(field: K) =>
    (value: ConsentDraft[K]) => {
      setConsent((c) => ({ ...c, [field]: value }));
      if (field in refs && errors[field as Field]) setErrors((e) => ({ ...e, [field]: undefined }));
    };
  const minor = isMinorOn(parseBirthYear(draft.birthYear), consent.date);

  const save = async (event?: Event) => {
    event?.preventDefault();
    if (busy) return;
    const found: Partial<Record<Field, string>> = {};
    if (draft.first.trim() === "") found.first = t("newFamily.firstRequired");
    if (draft.last.trim() === "") found.last = t("newFamily.lastRequired");
    const birthYear = parseBirthYear(draft.birthYear);
    if (birthYear === undefined) found.birthYear = t("newFamily.badBirthYear");
    const consentFound = consentErrors(consent, info.today, minor);
    for (const [field, key] of Object.entries(consentFound)) {
      found[field as ConsentField] = t(`newFamily.consent.errors.${key}`);
    }
    setErrors(found);
    const firstBad = FIELD_ORDER.find((f) => found[f]);
    if (firstBad) {
      refs[firstBad].current?.focus();
      return;
    }
    setBusy(true);
    setFailure(null);
    try {
      const reg = await call(
        commands.registerFamily({
          lab,
          reference: { first_name: draft.first.trim(), last_name: draft.last.trim(), birth_year: birthYear ?? null },
          others: [],
          contacts: { phone: draft.phone.trim(), email: "", address: "" },
          areas: [],
          referral: null,
          consent: toNewConsent(consent, minor),
        }),
      );
      setBusy(false);
      onRegistered(reg);
    } catch (err) {
      setBusy(false);
      // A refused field goes next to it; anything else under the form.
      const e = appErrorOf(err);
      const field = e?.kind === "invalid" ? SERVER_FIELDS[e.field] : undefined;
      if (field) {
        setErrors({ [field]: errorMessage(err) });
        refs[field].current?.focus();
      } else {
        setFailure(errorMessage(err));
      }
    }
  };

  const optional = ` (${t("newFamily.optional")})`;
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={t("newFamily.title")}
      size="medium"
      footer={
        <>
          <Button onClick={onClose}>{t("common.cancel")}</Button>
          <Button variant="primary" busy={busy} onClick={() => void save()} data-testid="new-family-save">
            {t("newFamily.save")}
          </Button>
        </>
      }
    >
      <form
        onSubmit={(e) => void save(e)}
        onKeyDown={(e) => {
          // Enter in any field registers, like the button.
          if (e.key === "Enter" && e.target instanceof HTMLInputElement) void save(e);
        }}
        noValidate
        data-testid="new-family-form"
      >
        <p>{t("newFamily.intro")}</p>
        <TextField
          label={t("newFamily.first")}
          value={draft.first}
          onValueChange={set("first")}
          error={errors.first}
          required
          autoComplete="off"
          inputRef={refs.first}
          data-testid="new-family-first"
        />
        <TextField
          label={t("newFamily.last")}
          value={draft.last}
          onValueChange={set("last")}
          error={errors.last}
          required
          autoComplete="off"
          inputRef={refs.last}
          data-testid="new-family-last"
        />
        <TextField
          label={t("newFamily.birthYear") + optional}
          value={draft.birthYear}
          onValueChange={set("birthYear")}
          error={errors.birthYear}
          inputMode="numeric"
          maxLength={4}
          autoComplete="off"
          inputRef={refs.birthYear}
          data-testid="new-family-birth-year"
        />
        <TextField
          label={t("newFamily.phone") + optional}
          type="tel"
          value={draft.phone}
          onValueChange={set("phone")}
          error={errors.phone}
          autoComplete="off"
          inputRef={refs.phone}
          data-testid="new-family-phone"
        />
        <ConsentFields
          idPrefix="new-family"
          intro={t("newFamily.consent.intro")}
          value={consent}
          onChange={(field, value) => setC(field)(value)}
          errors={errors}
          refs={{
            basis: refs.basis as { current: HTMLSelectElement | null },
            notice: refs.notice,
            date: refs.date,
            collectedBy: refs.collectedBy as { current: HTMLSelectElement | null },
          }}
          staff={staff}
        >
          {minor && (
            <TextField
              label={t("newFamily.consent.guardian")}
              hint={t("newFamily.consent.guardianHint")}
              value={consent.guardian}
              onValueChange={setC("guardian")}
              error={errors.guardian}
              required
              autoComplete="off"
              inputRef={refs.guardian}
              data-testid="new-family-guardian"
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
