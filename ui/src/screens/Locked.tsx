import { useEffect, useRef, useState } from "preact/hooks";
import { appErrorOf, call } from "../api/call";
import { errorMessage } from "../api/errors";
import { commands, type SessionInfo } from "../bindings";
import { Button } from "../components/Button";
import { TextField } from "../components/TextField";
import { useToast } from "../components/Toast";
import { MIN_PASSPHRASE_CHARS, checkNewPassphrase } from "../app/passphrase";
import { useI18n } from "../i18n";
import { focusHeading } from "../lib/focus";
import { mark } from "../lib/marks";

export interface LockedProps {
  /** The register is open: the session to show it with. */
  onUnlocked: (info: SessionInfo) => void;
  /** Set when the register locked itself after this many idle minutes. */
  idleMinutes?: number | undefined;
}

/**
 * Shown instead of the whole app while the register is locked: the
 * passphrase, or ("Ho dimenticato la passphrase") the coordinators'
 * recovery key. Enter submits. After the recovery key, a new passphrase
 * must be chosen before the register is shown (the Rust side allows
 * `setNewPassphrase` only in that session).
 */
export function Locked({ onUnlocked, idleMinutes }: LockedProps) {
  const [recovered, setRecovered] = useState<SessionInfo | null>(null);
  const [expired, setExpired] = useState(false);
  if (recovered) {
    return (
      <NewPassphrase
        onDone={() => onUnlocked(recovered)}
        onExpired={() => {
          setRecovered(null);
          setExpired(true);
        }}
      />
    );
  }
  return (
    <Unlock
      onUnlocked={onUnlocked}
      onRecovered={(info) => {
        setExpired(false);
        setRecovered(info);
      }}
      idleMinutes={idleMinutes}
      initialMode={expired ? "recovery" : "passphrase"}
      initialError={expired ? "unlock.newPassphrase.expired" : null}
    />
  );
}

interface UnlockProps extends LockedProps {
  /** Opened with the recovery key: the new passphrase comes next. */
  onRecovered: (info: SessionInfo) => void;
  initialMode: "passphrase" | "recovery";
  initialError: "unlock.newPassphrase.expired" | null;
}

function Unlock({ onUnlocked, onRecovered, idleMinutes, initialMode, initialError }: UnlockProps) {
  const { t } = useI18n();
  const main = useRef<HTMLElement>(null);
  const input = useRef<HTMLElement>(null);
  const [mode, setMode] = useState<"passphrase" | "recovery">(initialMode);
  const [passphrase, setPassphrase] = useState("");
  const [recoveryKey, setRecoveryKey] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(initialError ? t(initialError) : null);

  // Ready to type; the field's hint says why (the lock button is gone).
  useEffect(() => {
    if (!input.current) focusHeading(main.current);
    input.current?.focus();
  }, []);

  useEffect(() => {
    document.title = t("app.titleWithSection", { section: t("locked.title") });
  }, [t]);

  const switchMode = (next: "passphrase" | "recovery") => {
    setMode(next);
    setError(null);
    // After the re-render, the new field.
    setTimeout(() => input.current?.focus(), 0);
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    const value = mode === "passphrase" ? passphrase : recoveryKey.trim();
    if (value === "") {
      setError(t(mode === "passphrase" ? "unlock.empty" : "unlock.recoveryEmpty"));
      input.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      mark("unlock-sent");
      const info = await call(
        mode === "passphrase" ? commands.unlock(value) : commands.unlockWithRecovery(value),
      );
      mark("unlock-answered");
      if (mode === "recovery") onRecovered(info);
      else onUnlocked(info);
    } catch (err) {
      setBusy(false);
      setError(errorMessage(err));
      // Select what was typed, so typing again replaces it.
      const el = input.current;
      if (el instanceof HTMLInputElement) {
        el.focus();
        el.select();
      }
    }
  };

  return (
    <main id="main" class="locked" tabIndex={-1} ref={main} data-testid="screen-locked">
      <div class="locked__panel">
        <h1>{t("locked.title")}</h1>
        {idleMinutes !== undefined && <p class="locked__reason">{t("shell.lockedByIdle", { n: idleMinutes })}</p>}
        <form onSubmit={(e) => void submit(e)} noValidate>
          {mode === "passphrase" ? (
            <>
              <TextField
                key="passphrase"
                label={t("unlock.passphrase")}
                hint={t("locked.body")}
                type="password"
                value={passphrase}
                onValueChange={setPassphrase}
                autoComplete="current-password"
                readOnly={busy}
                inputRef={input}
                data-testid="unlock-passphrase"
              />
            </>
          ) : (
            <>
              <h2>{t("unlock.recoveryHeading")}</h2>
              <p>{t("unlock.recoveryExplain")}</p>
              <TextField
                key="recovery"
                label={t("unlock.recoveryKey")}
                value={recoveryKey}
                onValueChange={setRecoveryKey}
                autoComplete="off"
                readOnly={busy}
                inputRef={input}
                data-testid="recovery-key"
              />
            </>
          )}
          <p class="form-error" role="alert" data-testid="unlock-error">
            {error}
          </p>
          <div class="locked__actions">
            <Button type="submit" variant="primary" busy={busy} data-testid="unlock-submit">
              {mode === "passphrase" ? t("locked.unlock") : t("unlock.recoverySubmit")}
            </Button>
            <Button
              variant="quiet"
              data-testid={mode === "passphrase" ? "unlock-forgot" : "unlock-back"}
              onClick={() => switchMode(mode === "passphrase" ? "recovery" : "passphrase")}
            >
              {mode === "passphrase" ? t("unlock.forgot") : t("unlock.backToPassphrase")}
            </Button>
          </div>
        </form>
      </div>
    </main>
  );
}

/**
 * Right after opening with the recovery key: a new passphrase (twice), not
 * skippable. The old one is lost, so it is not asked.
 */
function NewPassphrase({ onDone, onExpired }: { onDone: () => void; onExpired: () => void }) {
  const { t } = useI18n();
  const toast = useToast();
  const refs = { next: useRef<HTMLElement>(null), confirm: useRef<HTMLElement>(null) };
  const [next, setNext] = useState("");
  const [confirm, setConfirm] = useState("");
  const [attempted, setAttempted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [weak, setWeak] = useState<string | null>(null);

  useEffect(() => {
    refs.next.current?.focus();
    // Once, when the step appears: ready to type.
  }, []);

  useEffect(() => {
    document.title = t("app.titleWithSection", { section: t("unlock.newPassphrase.title") });
  }, [t]);

  const errors = checkNewPassphrase(t, next, confirm);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    setAttempted(true);
    setFailure(null);
    if (errors.passphrase) {
      refs.next.current?.focus();
      return;
    }
    if (errors.confirm) {
      refs.confirm.current?.focus();
      return;
    }
    setBusy(true);
    try {
      await call(commands.setNewPassphrase(next));
      toast.success(t("unlock.newPassphrase.saved"));
      onDone();
    } catch (err) {
      setBusy(false);
      const kind = appErrorOf(err)?.kind;
      if (kind === "locked") {
        // Locked meanwhile (idle): the recovery session is gone.
        onExpired();
      } else if (kind === "weak_passphrase") {
        setWeak(errorMessage(err));
        refs.next.current?.focus();
      } else {
        setFailure(errorMessage(err));
      }
    }
  };

  return (
    <main id="main" class="locked" tabIndex={-1} data-testid="screen-new-passphrase">
      <div class="locked__panel">
        <h1>{t("unlock.newPassphrase.title")}</h1>
        <p>{t("unlock.newPassphrase.body")}</p>
        <form onSubmit={(e) => void submit(e)} noValidate>
          <TextField
            label={t("unlock.newPassphrase.label")}
            type="password"
            hint={t("passphrase.hint", { min: MIN_PASSPHRASE_CHARS })}
            value={next}
            onValueChange={(v) => {
              setNext(v);
              setWeak(null);
            }}
            error={(attempted ? errors.passphrase : undefined) ?? weak ?? undefined}
            autoComplete="new-password"
            readOnly={busy}
            inputRef={refs.next}
            data-testid="recovery-new-passphrase"
          />
          <TextField
            label={t("unlock.newPassphrase.confirm")}
            type="password"
            value={confirm}
            onValueChange={setConfirm}
            error={attempted && !errors.passphrase ? errors.confirm : undefined}
            autoComplete="new-password"
            readOnly={busy}
            inputRef={refs.confirm}
            data-testid="recovery-new-passphrase-confirm"
          />
          <p class="form-error" role="alert">
            {failure}
          </p>
          <Button type="submit" variant="primary" busy={busy} data-testid="recovery-new-passphrase-submit">
            {t("unlock.newPassphrase.submit")}
          </Button>
        </form>
      </div>
    </main>
  );
}
