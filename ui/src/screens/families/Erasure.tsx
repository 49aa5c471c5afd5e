import { useId, useState } from "preact/hooks";
import { appErrorOf, call } from "../../api/call";
import { useSession } from "../../app/session";
import { commands, type Action, type ErasureReason, type Household } from "../../bindings";
import { Button } from "../../components/Button";
import { useToast } from "../../components/Toast";
import { useI18n } from "../../i18n";
import { ERASURE_REASONS } from "../privacy/trail";

const REASONS = ERASURE_REASONS;

export interface ErasureProps {
  family: Household;
  /** After the family is erased (its page has nothing left to show). */
  onErased: () => void;
}

/**
 * Whether this device's rights (`SessionInfo.rights`) let it erase (today
 * coordinators and the unpaired demo), only ask a coordinator to (leads),
 * or neither. The role is not consulted: the shell's table decided.
 */
export function erasureRight(rights: readonly Action[]): "erase" | "request" | "none" {
  if (rights.includes("erase")) return "erase";
  if (rights.includes("request_erasure")) return "request";
  return "none";
}

/**
 * "Cancellazione dei dati" (GDPR art. 17), last on the family's page: a
 * device with `erase` erases after typing the family's code; one with
 * `request_erasure` asks a coordinator to; others are told who can.
 */
export function Erasure({ family, onErased }: ErasureProps) {
  const { t } = useI18n();
  const toast = useToast();
  const { info } = useSession();
  const right = erasureRight(info.rights);
  const [reason, setReason] = useState<ErasureReason>("request");
  const [typed, setTyped] = useState("");
  const [busy, setBusy] = useState(false);
  const [mismatch, setMismatch] = useState(false);
  const ids = useId();
  const headingId = `erasure-${ids}`;

  if (right === "none") {
    return (
      <section class="page-section" aria-labelledby={headingId} data-testid="erasure">
        <h2 id={headingId}>{t("erasure.heading")}</h2>
        <p>{t("erasure.notAllowed")}</p>
      </section>
    );
  }

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    if (right === "erase" && typed.trim().toUpperCase() !== family.code.toUpperCase()) {
      setMismatch(true);
      return;
    }
    setBusy(true);
    try {
      const done = await call(commands.eraseFamily(family.id, reason));
      if (done.kind === "erased") {
        toast.success(t("erasure.erased", { code: done.codes.join(", ") }));
        onErased();
      } else {
        toast.success(t("erasure.requested", { code: done.code }));
      }
    } catch (err) {
      toast.error(appErrorOf(err) ?? err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="page-section page-section--danger" aria-labelledby={headingId} data-testid="erasure">
      <h2 id={headingId}>{t("erasure.heading")}</h2>
      <p>{right === "erase" ? t("erasure.explain", { code: family.code }) : t("erasure.explainRequest")}</p>
      <form onSubmit={(e) => void submit(e)}>
        <div class="field">
          <label for={`reason-${ids}`}>{t("erasure.reason")}</label>
          <select
            id={`reason-${ids}`}
            data-testid="erasure-reason"
            value={reason}
            onChange={(e) => setReason((e.target as HTMLSelectElement).value as ErasureReason)}
          >
            {(Object.keys(REASONS) as ErasureReason[]).map((r) => (
              <option key={r} value={r}>
                {t(REASONS[r])}
              </option>
            ))}
          </select>
        </div>
        {right === "erase" && (
          <div class="field">
            <label for={`confirm-${ids}`}>{t("erasure.confirmLabel", { code: family.code })}</label>
            <input
              id={`confirm-${ids}`}
              data-testid="erasure-confirm"
              autocomplete="off"
              value={typed}
              aria-invalid={mismatch ? "true" : undefined}
              aria-describedby={mismatch ? `confirm-error-${ids}` : undefined}
              onInput={(e) => {
                setTyped((e.target as HTMLInputElement).value);
                setMismatch(false);
              }}
            />
            {mismatch && (
              <p class="field__error" id={`confirm-error-${ids}`}>
                {t("erasure.confirmMismatch")}
              </p>
            )}
          </div>
        )}
        <Button type="submit" variant="danger" busy={busy} data-testid="erasure-submit">
          {right === "erase" ? t("erasure.erase") : t("erasure.request")}
        </Button>
      </form>
    </section>
  );
}
