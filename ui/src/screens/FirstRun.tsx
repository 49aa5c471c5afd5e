import { useEffect, useRef, useState } from "preact/hooks";
import { appErrorOf, call } from "../api/call";
import { errorMessage } from "../api/errors";
import { commands, type SessionInfo } from "../bindings";
import { Button } from "../components/Button";
import { Spinner } from "../components/Spinner";
import { TextField } from "../components/TextField";
import { useChangeLanguage } from "../app/language";
import { MIN_PASSPHRASE_CHARS, checkNewPassphrase } from "../app/passphrase";
import { LANGUAGES, useI18n, type Translate } from "../i18n";
import { focusHeading } from "../lib/focus";

type Start = "demo" | "pair";

/** What the hub's address field shows before anything is typed. */
export const HUB_PLACEHOLDER = "wss://hub.benecomune.it";

export interface PairingErrors {
  url?: string | undefined;
  code?: string | undefined;
  deviceName?: string | undefined;
}

/** Characters of a pairing code once separators are dropped: two groups of five (the secret) and one (the certificate check). */
const CODE_LENGTH = 15;

/**
 * The problems of the pairing form, checked before spending the one-time
 * code. Mirrors the Rust side (`Endpoint::parse`, which has the last word):
 * an address is `host[:port]` or `wss://…`/`https://…`; plain `ws://` is
 * for a hub on this computer only, because the credential would otherwise
 * cross the network in the clear.
 */
export function checkPairing(t: Translate, url: string, code: string, deviceName: string): PairingErrors {
  const errors: PairingErrors = {};
  const u = url.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(u)?.[1]?.toLowerCase();
  const host = u.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "").replace(/[:/].*$/, "").replace(/^\[|\]$/g, "");
  if (u === "") errors.url = t("firstRun.pair.urlEmpty");
  else if (/\s/.test(u) || host === "" || (scheme !== undefined && !["wss", "https", "ws", "http"].includes(scheme)))
    errors.url = t("firstRun.pair.urlScheme");
  else if ((scheme === "ws" || scheme === "http") && !isLoopback(u)) errors.url = t("firstRun.pair.urlInsecure");
  const typed = code.replace(/[^0-9a-z]/gi, "");
  if (typed === "") errors.code = t("firstRun.pair.codeEmpty");
  else if (typed.length !== CODE_LENGTH) errors.code = t("firstRun.pair.codeLength");
  if (deviceName.trim() === "") errors.deviceName = t("firstRun.pair.deviceNameEmpty");
  return errors;
}

function isLoopback(url: string): boolean {
  return /^[a-z]+:\/\/(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?\/?$/i.test(url);
}

/**
 * The first start on a computer: the language, a passphrase (twice), then
 * either the demo register or pairing with the hub (the coordinators'
 * one-time code), which creates the real register and syncs once. Both take
 * a few seconds (key stretching, the demo data or the network).
 */
export interface FirstRunProps {
  onCreated: (info: SessionInfo) => void;
  /** A register turned out to exist already (e.g. an earlier attempt got that far): unlock it instead. */
  onExists?: (() => void) | undefined;
}

export function FirstRun({ onCreated, onExists }: FirstRunProps) {
  const { t, lang } = useI18n();
  const changeLanguage = useChangeLanguage();
  const main = useRef<HTMLElement>(null);
  const passphraseInput = useRef<HTMLElement>(null);
  const confirmInput = useRef<HTMLElement>(null);
  const urlInput = useRef<HTMLElement>(null);
  const codeInput = useRef<HTMLElement>(null);
  const deviceInput = useRef<HTMLElement>(null);
  const [passphrase, setPassphrase] = useState("");
  const [confirm, setConfirm] = useState("");
  const [show, setShow] = useState(false);
  /** Errors show once the user has left a field or tried to start. */
  const [touched, setTouched] = useState({ passphrase: false, confirm: false });
  const [pairOpen, setPairOpen] = useState(false);
  const [hubUrl, setHubUrl] = useState("");
  const [code, setCode] = useState("");
  /** `null`: the suggested name, in the current language, until the user types one. */
  const [deviceName, setDeviceName] = useState<string | null>(null);
  const [pairAttempted, setPairAttempted] = useState(false);
  const [creating, setCreating] = useState<Start | null>(null);
  const [failure, setFailure] = useState<{ from: Start; error: unknown } | null>(null);

  useEffect(() => {
    focusHeading(main.current);
  }, []);

  useEffect(() => {
    document.title = t("app.titleWithSection", { section: t("firstRun.title") });
  }, [t]);

  const device = deviceName ?? t("firstRun.pair.deviceNameDefault");
  const errors = checkNewPassphrase(t, passphrase, confirm);
  const pairErrors = checkPairing(t, hubUrl, code, device);
  const weak = appErrorOf(failure?.error)?.kind === "weak_passphrase";
  const passphraseError = touched.passphrase ? errors.passphrase : undefined;
  const confirmError = touched.confirm && !errors.passphrase ? errors.confirm : undefined;

  /** Same check for both ways in; focuses the first bad field. */
  const passphraseOk = (): boolean => {
    setTouched({ passphrase: true, confirm: true });
    if (errors.passphrase) {
      passphraseInput.current?.focus();
      return false;
    }
    if (errors.confirm) {
      confirmInput.current?.focus();
      return false;
    }
    return true;
  };

  const run = async (from: Start, create: () => Promise<SessionInfo>) => {
    setFailure(null);
    setCreating(from);
    try {
      onCreated(await create());
    } catch (err) {
      setCreating(null);
      const kind = appErrorOf(err)?.kind;
      if (kind === "register_exists" && onExists) {
        onExists();
        return;
      }
      setFailure({ from, error: err });
      if (kind === "weak_passphrase") passphraseInput.current?.focus();
      else if (kind === "pairing") selectField(codeInput.current);
      else if (kind === "invalid" || kind === "offline") selectField(urlInput.current);
    }
  };

  const startDemo = () => {
    if (creating || !passphraseOk()) return;
    void run("demo", () => call(commands.createDemoRegister(passphrase)));
  };

  const pair = (event: Event) => {
    event.preventDefault();
    if (creating || !passphraseOk()) return;
    setPairAttempted(true);
    const firstBad = pairErrors.url ? urlInput : pairErrors.code ? codeInput : pairErrors.deviceName ? deviceInput : null;
    if (firstBad) {
      firstBad.current?.focus();
      return;
    }
    void run("pair", () => call(commands.pairWithHub(hubUrl.trim(), code.trim(), device.trim(), passphrase)));
  };

  const togglePair = () => {
    const next = !pairOpen;
    setPairOpen(next);
    // After the re-render, the form's first field.
    if (next) setTimeout(() => urlInput.current?.focus(), 0);
  };

  const busy = creating !== null;
  const shownFailure = failure !== null && !weak ? failure : null;

  return (
    <main id="main" class="firstrun" data-testid="first-run" tabIndex={-1} ref={main}>
      <div class="firstrun__panel">
        <h1>{t("firstRun.title")}</h1>
        <p>{t("firstRun.intro")}</p>

        <section class="firstrun__step" aria-labelledby="firstrun-language">
          <h2 id="firstrun-language">{t("firstRun.languageHeading")}</h2>
          <div class="choice-row" role="group" aria-labelledby="firstrun-language">
            {LANGUAGES.map((l) => (
              <button
                key={l}
                type="button"
                lang={l}
                class="choice"
                aria-pressed={lang === l ? "true" : "false"}
                data-testid={`lang-${l}`}
                disabled={busy}
                onClick={() => changeLanguage(l)}
              >
                {t(`languages.${l}`)}
              </button>
            ))}
          </div>
        </section>

        <section class="firstrun__step" aria-labelledby="firstrun-passphrase">
          <h2 id="firstrun-passphrase">{t("firstRun.passphraseHeading")}</h2>
          <p>{t("passphrase.explain")}</p>
          <TextField
            label={t("passphrase.label")}
            type={show ? "text" : "password"}
            value={passphrase}
            onValueChange={(v) => {
              setPassphrase(v);
              if (weak) setFailure(null);
            }}
            onBlur={() => setTouched((x) => ({ ...x, passphrase: passphrase !== "" || x.passphrase }))}
            hint={t("passphrase.hint", { min: MIN_PASSPHRASE_CHARS })}
            error={passphraseError ?? (weak ? errorMessage(failure?.error) : undefined)}
            autoComplete="new-password"
            readOnly={busy}
            inputRef={passphraseInput}
            data-testid="passphrase"
          />
          <TextField
            label={t("passphrase.confirm")}
            type={show ? "text" : "password"}
            value={confirm}
            onValueChange={setConfirm}
            onBlur={() => setTouched((x) => ({ ...x, confirm: confirm !== "" || x.confirm }))}
            error={confirmError}
            autoComplete="new-password"
            readOnly={busy}
            inputRef={confirmInput}
            data-testid="passphrase-confirm"
          />
          <label class="check">
            <input type="checkbox" checked={show} onChange={(e) => setShow(e.currentTarget.checked)} />
            {t("passphrase.show")}
          </label>
        </section>

        <section class="firstrun__step" aria-labelledby="firstrun-start">
          <h2 id="firstrun-start">{t("firstRun.startHeading")}</h2>
          <div class="firstrun__starts">
            <div class="firstrun__start">
              <Button
                variant="primary"
                busy={creating === "demo"}
                disabled={creating === "pair"}
                aria-describedby="firstrun-demo-hint"
                data-testid="start-demo"
                onClick={startDemo}
              >
                {t("firstRun.startDemo")}
              </Button>
              <p id="firstrun-demo-hint" class="field__hint">
                {t("firstRun.startDemoHint")}
              </p>
            </div>
            <div class="firstrun__start">
              <Button
                variant="secondary"
                disabled={busy}
                aria-expanded={pairOpen ? "true" : "false"}
                aria-controls="firstrun-pair"
                aria-describedby="firstrun-pair-hint"
                data-testid="start-pair"
                onClick={togglePair}
              >
                {t("firstRun.startPair")}
              </Button>
              <p id="firstrun-pair-hint" class="field__hint">
                {t("firstRun.startPairHint")}
              </p>
            </div>
          </div>

          {creating === "demo" && <Creating label={t("firstRun.creating")} />}
          {shownFailure?.from === "demo" && (
            <p class="form-error" role="alert" data-testid="start-error">
              {errorMessage(shownFailure.error)}
            </p>
          )}

          {pairOpen && (
            <form
              id="firstrun-pair"
              class="firstrun__pair"
              aria-labelledby="firstrun-pair-heading"
              noValidate
              onSubmit={pair}
            >
              <h3 id="firstrun-pair-heading">{t("firstRun.pair.heading")}</h3>
              <p>{t("firstRun.pair.explain")}</p>
              <TextField
                label={t("firstRun.pair.url")}
                hint={t("firstRun.pair.urlHint")}
                type="url"
                inputMode="url"
                placeholder={HUB_PLACEHOLDER}
                value={hubUrl}
                onValueChange={setHubUrl}
                error={pairAttempted ? pairErrors.url : undefined}
                autoComplete="off"
                readOnly={busy}
                inputRef={urlInput}
                data-testid="hub-url"
              />
              <TextField
                label={t("firstRun.pair.code")}
                hint={t("firstRun.pair.codeHint")}
                value={code}
                onValueChange={setCode}
                error={pairAttempted ? pairErrors.code : undefined}
                autoComplete="off"
                readOnly={busy}
                inputRef={codeInput}
                data-testid="pair-code"
              />
              <TextField
                label={t("firstRun.pair.deviceName")}
                hint={t("firstRun.pair.deviceNameHint")}
                value={device}
                onValueChange={setDeviceName}
                error={pairAttempted ? pairErrors.deviceName : undefined}
                autoComplete="off"
                maxLength={80}
                readOnly={busy}
                inputRef={deviceInput}
                data-testid="device-name"
              />
              {shownFailure?.from === "pair" && (
                <p class="form-error" role="alert" data-testid="pair-error">
                  {errorMessage(shownFailure.error)}
                </p>
              )}
              <Button
                type="submit"
                variant="primary"
                busy={creating === "pair"}
                disabled={creating === "demo"}
                data-testid="pair-submit"
              >
                {t("firstRun.pair.submit")}
              </Button>
              {creating === "pair" && <Creating label={t("firstRun.pair.pairing")} />}
            </form>
          )}
        </section>
      </div>
    </main>
  );
}

function Creating({ label }: { label: string }) {
  return (
    <div class="firstrun__progress">
      <Spinner label={label} />
      <p class="firstrun__progress-text" aria-hidden="true">
        {label}
      </p>
    </div>
  );
}

/** Focuses a field and selects what is in it, so typing again replaces it. */
function selectField(el: HTMLElement | null) {
  if (!el) return;
  el.focus();
  if (el instanceof HTMLInputElement) el.select();
}
