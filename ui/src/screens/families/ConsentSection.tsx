import { useId, useLayoutEffect, useState } from "preact/hooks";
import { call } from "../../api/call";
import { useLoad } from "../../api/useLoad";
import { useSession } from "../../app/session";
import { commands, type ConsentScope, type Household, type Person, type WithdrawnScopes } from "../../bindings";
import { Button } from "../../components/Button";
import { Dialog } from "../../components/Dialog";
import { SelectField } from "../../components/SelectField";
import { TextField } from "../../components/TextField";
import { useToast } from "../../components/Toast";
import { useI18n } from "../../i18n";
import { memberName } from "./format";
import { RenewConsentDialog } from "./RenewConsentDialog";

/**
 * A family's legal basis record (GDPR arts. 6, 7, 9): what was consented
 * to, by whom and when, the withdrawals, the status (pending a decision,
 * restricted), and the forms to renew the record and to record a
 * withdrawal.
 */
export function ConsentSection({ household: h, reload }: { household: Household; reload: () => Promise<void> }) {
  const { t, formatDate } = useI18n();
  const headingId = `consent-${useId()}`;
  const [withdrawing, setWithdrawing] = useState(false);
  const [renewing, setRenewing] = useState(false);
  // Names are a courtesy: without them (an error) the section still shows the record.
  const staff = useLoad(() => call(commands.listStaff(h.lab)), [h.lab]).data ?? [];
  const c = h.consent;
  const personName = (id: string) => {
    const p = staff.find((x) => x.id === id);
    return p ? `${p.first_name} ${p.last_name}` : "—";
  };
  const guardian = (() => {
    if (!c?.guardian) return null;
    if (c.guardian.kind === "named") return c.guardian.name;
    return memberName(h, c.guardian.member) ?? "—";
  })();
  const scopes = (list: readonly ConsentScope[]) =>
    list.length ? list.map((s) => t(`families.consent.scope.${s}`)).join(", ") : "—";
  return (
    <section class="page-section" aria-labelledby={headingId}>
      <h2 id={headingId}>{t("families.consent.title")}</h2>
      {h.legal_status === "restricted" && (
        <div class="notice notice--warning" data-testid="restricted-notice">
          <p class="notice__title">{t("families.consent.restrictedTitle")}</p>
          <p>{t("families.consent.restrictedBody")}</p>
        </div>
      )}
      {h.legal_status === "pending_decision" && (
        <div class="notice notice--warning" data-testid="consent-pending">
          <p class="notice__title">{t("families.consent.pending")}</p>
          <p>{t("families.consent.pendingBody")}</p>
        </div>
      )}
      {c ? (
        <dl class="dl" data-testid="consent">
          <dt>{t("families.consent.basis")}</dt>
          <dd>{t(`newFamily.consent.basisOption.${c.basis}`)}</dd>
          <dt>{t("families.consent.special")}</dt>
          <dd>{c.special ? t(`newFamily.consent.specialOption.${c.special}`) : t("families.consent.none")}</dd>
          <dt>{t("families.consent.date")}</dt>
          <dd>{formatDate(c.date)}</dd>
          <dt>{t("families.consent.scopes")}</dt>
          <dd>{scopes(c.scopes)}</dd>
          <dt>{t("families.consent.notice")}</dt>
          <dd>{c.notice_version || "—"}</dd>
          <dt>{t("families.consent.collectedBy")}</dt>
          <dd>{personName(c.collected_by)}</dd>
          {guardian !== null && (
            <>
              <dt>{t("families.consent.guardian")}</dt>
              <dd>{guardian}</dd>
            </>
          )}
        </dl>
      ) : (
        <div class="notice notice--warning" data-testid="consent-missing">
          <p class="notice__title">{t("families.consent.missing")}</p>
          <p>{t("families.consent.missingBody")}</p>
        </div>
      )}
      {h.withdrawals.length > 0 && (
        <>
          <h3>{t("families.consent.withdrawals")}</h3>
          <ul data-testid="withdrawals">
            {h.withdrawals.map((w) => (
              <li key={`${w.date}-${w.at}`}>
                {t("families.consent.withdrawal", { date: formatDate(w.date), scopes: scopes(w.scopes) })}
              </li>
            ))}
          </ul>
        </>
      )}
      {h.legal_status !== "restricted" && (
        <div class="toolbar">
          <Button data-testid="consent-renew" onClick={() => setRenewing(true)}>
            {c ? t("families.consent.renew") : t("families.consent.record")}
          </Button>
          {c && h.legal_status !== "pending_decision" && (
            <Button data-testid="consent-withdraw" onClick={() => setWithdrawing(true)}>
              {t("families.consent.withdraw")}
            </Button>
          )}
        </div>
      )}
      <RenewConsentDialog
        open={renewing}
        household={h}
        staff={staff}
        onClose={() => setRenewing(false)}
        onDone={async () => {
          setRenewing(false);
          await reload();
        }}
      />
      <WithdrawDialog
        open={withdrawing}
        household={h}
        staff={staff}
        onClose={() => setWithdrawing(false)}
        onDone={async () => {
          setWithdrawing(false);
          await reload();
        }}
      />
    </section>
  );
}

type WithdrawChoice = "all" | "photos" | "contact";

/** Records a withdrawal of consent: everything, or photos or contact only. */
function WithdrawDialog({
  open,
  household: h,
  staff,
  onClose,
  onDone,
}: {
  open: boolean;
  household: Household;
  staff: Person[];
  onClose: () => void;
  onDone: () => Promise<void>;
}) {
  const { t } = useI18n();
  const { info } = useSession();
  const toast = useToast();
  const [what, setWhat] = useState<WithdrawChoice>("all");
  const [date, setDate] = useState(info.today);
  const [by, setBy] = useState("");
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  // Before the dialog can take a click or a key (a layout effect runs in
  // the commit): reset after paint, it wiped a choice made in between
  // (seen in CI: a withdrawal refused for want of who recorded it).
  useLayoutEffect(() => {
    if (open) {
      setWhat("all");
      setDate(info.today);
      setBy("");
      setError(undefined);
      setBusy(false);
    }
  }, [open, info.today]);
  const save = async () => {
    if (by === "") {
      setError(t("families.consent.recordedByRequired"));
      return;
    }
    setBusy(true);
    try {
      const scopes: WithdrawnScopes =
        what === "all" ? { kind: "all" } : { kind: "only", scopes: [what] };
      await call(commands.withdrawConsent(h.id, scopes, date, by));
      toast.success(t("families.consent.withdrawn"));
      await onDone();
    } catch (err) {
      toast.error(err);
    } finally {
      setBusy(false);
    }
  };
  const choice = (value: WithdrawChoice, label: string) => (
    <label class="choice">
      <input
        type="radio"
        name="withdraw-what"
        value={value}
        checked={what === value}
        data-testid={`withdraw-${value}`}
        onChange={() => setWhat(value)}
      />
      {label}
    </label>
  );
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={t("families.consent.withdrawTitle")}
      size="small"
      footer={
        <>
          <Button onClick={onClose}>{t("common.cancel")}</Button>
          <Button variant="danger" busy={busy} onClick={() => void save()} data-testid="withdraw-save">
            {t("families.consent.withdrawSave")}
          </Button>
        </>
      }
    >
      <fieldset class="choices">
        <legend>{t("families.consent.withdrawWhat")}</legend>
        {choice("all", t("families.consent.withdrawAll"))}
        {choice("photos", t("families.consent.withdrawPhotos"))}
        {choice("contact", t("families.consent.withdrawContact"))}
      </fieldset>
      <TextField
        label={t("families.consent.withdrawDate")}
        type="date"
        value={date}
        onValueChange={setDate}
        data-testid="withdraw-date"
      />
      <SelectField
        label={t("families.consent.recordedBy")}
        value={by}
        options={[
          { value: "", label: t("families.consent.recordedByChoose") },
          ...staff.map((p) => ({ value: p.id, label: `${p.first_name} ${p.last_name}` })),
        ]}
        onValueChange={(v) => {
          setBy(v);
          setError(undefined);
        }}
        error={error}
        data-testid="withdraw-by"
      />
    </Dialog>
  );
}
