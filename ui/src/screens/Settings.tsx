import { useId, useRef, useState } from "preact/hooks";
import { appErrorOf, call } from "../api/call";
import { useLoad } from "../api/useLoad";
import { errorMessage } from "../api/errors";
import { commands } from "../bindings";
import { Button } from "../components/Button";
import { Loaded } from "../components/Loaded";
import { SelectField } from "../components/SelectField";
import { TextField } from "../components/TextField";
import { useToast } from "../components/Toast";
import { useChangeLanguage } from "../app/language";
import { MIN_PASSPHRASE_CHARS, checkNewPassphrase } from "../app/passphrase";
import { useSession } from "../app/session";
import { LANGUAGES, useI18n } from "../i18n";
import { NomenclatureSetting } from "./settings/NomenclatureSetting";

/**
 * Impostazioni: the language (the whole UI switches at once and the choice
 * is kept), this computer's lab, changing the passphrase, the
 * coordinators' recovery key, and (for those who may change the project's
 * settings) the areas of the social-services nomenclature.
 */
export function Settings() {
  const { t } = useI18n();
  const { info } = useSession();
  return (
    <div class="settings" data-testid="screen-settings">
      <h1>{t("sections.settings")}</h1>
      <LanguageSetting />
      <LabSetting />
      <PassphraseSetting />
      <RecoverySetting />
      {info.rights.includes("change_project_settings") && <NomenclatureSetting />}
    </div>
  );
}

function LanguageSetting() {
  const { t, lang } = useI18n();
  const changeLanguage = useChangeLanguage();
  return (
    <section class="settings__section" aria-labelledby="settings-language">
      <h2 id="settings-language">{t("settings.languageHeading")}</h2>
      <p class="field__hint" id="settings-language-hint">
        {t("settings.languageHint")}
      </p>
      <div class="choice-row" role="group" aria-labelledby="settings-language" aria-describedby="settings-language-hint">
        {LANGUAGES.map((l) => (
          <button
            key={l}
            type="button"
            lang={l}
            class="choice"
            aria-pressed={lang === l ? "true" : "false"}
            data-testid={`language-${l}`}
            onClick={() => changeLanguage(l)}
          >
            {t(`languages.${l}`)}
          </button>
        ))}
      </div>
    </section>
  );
}

function LabSetting() {
  const { t } = useI18n();
  const toast = useToast();
  const { info, refresh } = useSession();
  const [busy, setBusy] = useState(false);
  const current = info.labs.find((l) => l.id === info.lab);

  const choose = async (id: string) => {
    if (id === info.lab || id === "") return;
    setBusy(true);
    try {
      await call(commands.selectLab(id));
      await refresh();
      const lab = info.labs.find((l) => l.id === id);
      if (lab) toast.success(t("settings.labChanged", { name: lab.name }));
    } catch (err) {
      toast.error(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="settings__section" aria-labelledby="settings-lab">
      <h2 id="settings-lab">{t("settings.labHeading")}</h2>
      {info.labs.length === 0 ? (
        <p>{t("settings.noLab")}</p>
      ) : info.labs.length === 1 && current ? (
        <p>{t("settings.onlyLab", { name: current.name })}</p>
      ) : (
        <SelectField
          label={t("shell.lab")}
          hint={t("settings.labHint")}
          value={info.lab ?? ""}
          options={[
            ...(info.lab === null ? [{ value: "", label: t("shell.noLab") }] : []),
            ...info.labs.map((l) => ({ value: l.id, label: l.name })),
          ]}
          onValueChange={(id) => void choose(id)}
          disabled={busy}
          data-testid="settings-lab"
        />
      )}
    </section>
  );
}

function PassphraseSetting() {
  const { t } = useI18n();
  const toast = useToast();
  const [old, setOld] = useState("");
  const [next, setNext] = useState("");
  const [confirm, setConfirm] = useState("");
  const [attempted, setAttempted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [oldError, setOldError] = useState<string | undefined>(undefined);
  const [failure, setFailure] = useState<string | null>(null);
  const refs = { old: useRef<HTMLElement>(null), next: useRef<HTMLElement>(null), confirm: useRef<HTMLElement>(null) };

  const errors = checkNewPassphrase(t, next, confirm);
  const oldEmpty = old === "" ? t("settings.oldEmpty") : undefined;

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    setAttempted(true);
    setFailure(null);
    const firstBad = oldEmpty ? refs.old : errors.passphrase ? refs.next : errors.confirm ? refs.confirm : null;
    if (firstBad) {
      firstBad.current?.focus();
      return;
    }
    setBusy(true);
    try {
      await call(commands.changePassphrase(old, next));
      setOld("");
      setNext("");
      setConfirm("");
      setAttempted(false);
      setOldError(undefined);
      toast.success(t("settings.changed"));
    } catch (err) {
      const kind = appErrorOf(err)?.kind;
      if (kind === "wrong_passphrase") {
        setOldError(t("settings.wrongOld"));
        refs.old.current?.focus();
      } else if (kind === "weak_passphrase") {
        setFailure(errorMessage(err));
        refs.next.current?.focus();
      } else {
        setFailure(errorMessage(err));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="settings__section" aria-labelledby="settings-passphrase">
      <h2 id="settings-passphrase">{t("settings.passphraseHeading")}</h2>
      <p>{t("settings.passphraseIntro")}</p>
      <form onSubmit={(e) => void submit(e)} noValidate data-testid="change-passphrase">
        <TextField
          label={t("settings.oldPassphrase")}
          type="password"
          value={old}
          onValueChange={(v) => {
            setOld(v);
            setOldError(undefined);
          }}
          error={oldError ?? (attempted ? oldEmpty : undefined)}
          autoComplete="current-password"
          inputRef={refs.old}
          data-testid="old-passphrase"
        />
        <TextField
          label={t("settings.newPassphrase")}
          type="password"
          hint={t("passphrase.hint", { min: MIN_PASSPHRASE_CHARS })}
          value={next}
          onValueChange={setNext}
          error={attempted ? errors.passphrase : undefined}
          autoComplete="new-password"
          inputRef={refs.next}
          data-testid="new-passphrase"
        />
        <TextField
          label={t("settings.confirmPassphrase")}
          type="password"
          value={confirm}
          onValueChange={setConfirm}
          error={attempted && !errors.passphrase ? errors.confirm : undefined}
          autoComplete="new-password"
          inputRef={refs.confirm}
          data-testid="new-passphrase-confirm"
        />
        {failure && (
          <p class="form-error" role="alert">
            {failure}
          </p>
        )}
        <Button type="submit" variant="primary" busy={busy} data-testid="change-passphrase-submit">
          {t("settings.change")}
        </Button>
      </form>
    </section>
  );
}

/** How many characters of a recovery key the list shows (`tcr1-` and 7 more). */
const SHORT_KEY_CHARS = 12;

/** `tcr1-abcdefg…`: enough to tell keys apart at a glance. */
export function shortKey(key: string): string {
  return key.length > SHORT_KEY_CHARS ? `${key.slice(0, SHORT_KEY_CHARS)}…` : key;
}

/**
 * The public half of the coordinators' recovery key: the list of those that
 * can open this register, and adding one (asks for the passphrase again,
 * since it grants a second way in).
 */
function RecoverySetting() {
  const { t } = useI18n();
  const toast = useToast();
  const listId = `recovery-list-${useId()}`;
  const keys = useLoad(() => call(commands.recoveryKeys()), [], { onError: toast.error });
  const [recoveryPublic, setRecoveryPublic] = useState("");
  const [passphrase, setPassphrase] = useState("");
  const [attempted, setAttempted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [publicError, setPublicError] = useState<string | undefined>(undefined);
  const [passphraseError, setPassphraseError] = useState<string | undefined>(undefined);
  const [failure, setFailure] = useState<string | null>(null);
  const refs = { public: useRef<HTMLElement>(null), passphrase: useRef<HTMLElement>(null) };

  const typed = recoveryPublic.trim();
  const publicProblem =
    typed === ""
      ? t("settings.recovery.publicEmpty")
      : /^tcs1-/i.test(typed)
        ? t("settings.recovery.secretGiven")
        : !/^tcr1-/i.test(typed)
          ? t("settings.recovery.publicPrefix")
          : undefined;
  const passphraseEmpty = passphrase === "" ? t("settings.oldEmpty") : undefined;

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    setAttempted(true);
    setFailure(null);
    if (publicProblem) {
      refs.public.current?.focus();
      return;
    }
    if (passphraseEmpty) {
      refs.passphrase.current?.focus();
      return;
    }
    setBusy(true);
    try {
      keys.setData(await call(commands.addRecoveryKey(passphrase, typed)));
      setRecoveryPublic("");
      setPassphrase("");
      setAttempted(false);
      toast.success(t("settings.recovery.added"));
    } catch (err) {
      const kind = appErrorOf(err)?.kind;
      if (kind === "wrong_passphrase") {
        setPassphraseError(t("settings.wrongOld"));
        refs.passphrase.current?.focus();
      } else if (kind === "invalid") {
        // The only field the Rust side checks here: the key's checksum.
        setPublicError(t("settings.recovery.publicInvalid"));
        refs.public.current?.focus();
      } else {
        setFailure(errorMessage(err));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="settings__section" aria-labelledby="settings-recovery">
      <h2 id="settings-recovery">{t("settings.recovery.heading")}</h2>
      <p>{t("settings.recovery.explain")}</p>
      <h3 id={listId} class="settings__subheading">
        {t("settings.recovery.list")}
      </h3>
      <Loaded load={keys} loadingLabel={t("settings.recovery.loading")}>
        {(keys) =>
          keys.length === 0 ? (
            <p class="notice notice--warning" data-testid="recovery-keys-none">
              {t("settings.recovery.none")}
            </p>
          ) : (
            <ul class="recovery-keys" aria-labelledby={listId} data-testid="recovery-keys">
              {keys.map((key) => (
                <li key={key}>
                  <span class="code" title={key} aria-hidden="true">
                    {shortKey(key)}
                  </span>
                  <span class="visually-hidden">{key}</span>
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
      <form onSubmit={(e) => void submit(e)} noValidate data-testid="add-recovery-key">
        <TextField
          label={t("settings.recovery.public")}
          hint={t("settings.recovery.publicHint")}
          value={recoveryPublic}
          onValueChange={(v) => {
            setRecoveryPublic(v);
            setPublicError(undefined);
          }}
          error={publicError ?? (attempted ? publicProblem : undefined)}
          autoComplete="off"
          inputRef={refs.public}
          data-testid="recovery-public"
        />
        <TextField
          label={t("settings.oldPassphrase")}
          hint={t("settings.recovery.passphraseHint")}
          type="password"
          value={passphrase}
          onValueChange={(v) => {
            setPassphrase(v);
            setPassphraseError(undefined);
          }}
          error={passphraseError ?? (attempted ? passphraseEmpty : undefined)}
          autoComplete="current-password"
          inputRef={refs.passphrase}
          data-testid="recovery-passphrase"
        />
        {failure && (
          <p class="form-error" role="alert">
            {failure}
          </p>
        )}
        <Button type="submit" variant="primary" busy={busy} data-testid="recovery-add">
          {t("settings.recovery.add")}
        </Button>
      </form>
    </section>
  );
}
