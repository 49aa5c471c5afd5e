import { useId, useRef, useState } from "preact/hooks";
import { appErrorOf, call } from "../../api/call";
import { useLoad } from "../../api/useLoad";
import { commands, type RetentionPolicy } from "../../bindings";
import { Button } from "../../components/Button";
import { LoadFailed } from "../../components/Loaded";
import { Spinner } from "../../components/Spinner";
import { TextField } from "../../components/TextField";
import { useToast } from "../../components/Toast";
import { useI18n, type Translate } from "../../i18n";

/** The limits of the two numbers (the Rust side checks them too). */
export const POLICY_LIMITS = {
  inactive_years: { min: 1, max: 100 },
  stale_device_days: { min: 1, max: 3650 },
  volunteer_years: { min: 1, max: 100 },
} as const satisfies Record<keyof RetentionPolicy, { min: number; max: number }>;

/** The problem with what was typed for `field`, in words, or `undefined`. */
export function policyProblem(field: keyof RetentionPolicy, text: string, t: Translate): string | undefined {
  const s = text.trim();
  if (s === "") return t("privacy.policy.empty");
  if (!/^\d+$/.test(s)) return t("privacy.policy.notWhole");
  const n = Number(s);
  const { min, max } = POLICY_LIMITS[field];
  if (n < min || n > max) return t("privacy.policy.range", { min, max });
  return undefined;
}

/** "Conservazione dei dati": the retention policy and the stale-laptop limit (coordinators). */
export function RetentionForm() {
  const { t } = useI18n();
  const toast = useToast();
  const headingId = `policy-${useId()}`;
  const [attempted, setAttempted] = useState(false);
  const [busy, setBusy] = useState(false);
  const refs = {
    inactive_years: useRef<HTMLElement>(null),
    stale_device_days: useRef<HTMLElement>(null),
    volunteer_years: useRef<HTMLElement>(null),
  };
  // What is typed starts from the saved policy; nothing reloads it while it is edited.
  const policy = useLoad(
    async () => {
      const p = await call(commands.privacySettings());
      return {
        inactive_years: String(p.inactive_years),
        stale_device_days: String(p.stale_device_days),
        volunteer_years: String(p.volunteer_years ?? 5),
      };
    },
    [],
    { onError: toast.error },
  );
  const form = policy.data;
  const setForm = policy.setData;

  const errors = form
    ? {
        inactive_years: policyProblem("inactive_years", form.inactive_years, t),
        stale_device_days: policyProblem("stale_device_days", form.stale_device_days, t),
        volunteer_years: policyProblem("volunteer_years", form.volunteer_years, t),
      }
    : null;

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!form || !errors || busy) return;
    setAttempted(true);
    const firstBad = errors.inactive_years
      ? refs.inactive_years
      : errors.stale_device_days
        ? refs.stale_device_days
        : errors.volunteer_years
          ? refs.volunteer_years
          : null;
    if (firstBad) {
      firstBad.current?.focus();
      return;
    }
    setBusy(true);
    try {
      await call(
        commands.setPrivacySettings({
          inactive_years: Number(form.inactive_years.trim()),
          stale_device_days: Number(form.stale_device_days.trim()),
          volunteer_years: Number(form.volunteer_years.trim()),
        }),
      );
      setAttempted(false);
      toast.success(t("privacy.policy.saved"));
    } catch (err) {
      toast.error(appErrorOf(err) ?? err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="page-section" aria-labelledby={headingId} data-testid="privacy-policy">
      <h2 id={headingId}>{t("privacy.policy.heading")}</h2>
      <p class="muted">{t("privacy.policy.intro")}</p>
      {policy.error !== null && !form ? (
        <LoadFailed onRetry={policy.reload} busy={policy.loading} />
      ) : !form || !errors ? (
        <Spinner />
      ) : (
        <form noValidate onSubmit={(e) => void submit(e)}>
          <TextField
            label={t("privacy.policy.inactiveYears")}
            hint={t("privacy.policy.inactiveYearsHint")}
            value={form.inactive_years}
            onValueChange={(v) => setForm({ ...form, inactive_years: v })}
            error={attempted ? errors.inactive_years : undefined}
            inputMode="numeric"
            required
            inputRef={refs.inactive_years}
            data-testid="policy-years"
          />
          <TextField
            label={t("privacy.policy.staleDays")}
            hint={t("privacy.policy.staleDaysHint")}
            value={form.stale_device_days}
            onValueChange={(v) => setForm({ ...form, stale_device_days: v })}
            error={attempted ? errors.stale_device_days : undefined}
            inputMode="numeric"
            required
            inputRef={refs.stale_device_days}
            data-testid="policy-days"
          />
          <TextField
            label={t("privacy.policy.volunteerYears")}
            hint={t("privacy.policy.volunteerYearsHint")}
            value={form.volunteer_years}
            onValueChange={(v) => setForm({ ...form, volunteer_years: v })}
            error={attempted ? errors.volunteer_years : undefined}
            inputMode="numeric"
            required
            inputRef={refs.volunteer_years}
            data-testid="policy-volunteer-years"
          />
          <Button type="submit" variant="primary" busy={busy} data-testid="policy-save">
            {t("common.save")}
          </Button>
        </form>
      )}
    </section>
  );
}
