import { useState } from "preact/hooks";
import { call } from "../api/call";
import { commands } from "../bindings";
import { Button } from "../components/Button";
import { useToast } from "../components/Toast";
import { LANGUAGES, isLanguage, useI18n } from "../i18n";
import { useChangeLanguage } from "./language";
import { personName } from "./OperatorDialog";
import { useSession } from "./session";

export interface HeaderProps {
  onLock: () => void;
  onHelp: () => void;
  /** Opens "Chi sta usando il registro?". */
  onOperator: () => void;
}

/**
 * The top bar: app and lab name (a picker when the register has more than
 * one lab), who is using the register (a button that changes it),
 * language, help and the lock button.
 */
export function Header({ onLock, onHelp, onOperator }: HeaderProps) {
  const { t, lang } = useI18n();
  const changeLanguage = useChangeLanguage();
  return (
    <header class="topbar">
      <div class="topbar__brand">
        <span class="topbar__app">{t("app.name")}</span>
        <LabName />
      </div>
      <div class="topbar__actions">
        <OperatorButton onClick={onOperator} />
        <label class="topbar__language">
          <span>{t("app.language")}</span>
          <select
            value={lang}
            data-testid="header-language"
            onChange={(e) => {
              const value = (e.currentTarget as HTMLSelectElement).value;
              if (isLanguage(value)) changeLanguage(value);
            }}
          >
            {LANGUAGES.map((l) => (
              <option key={l} value={l} lang={l}>
                {t(`languages.${l}`)}
              </option>
            ))}
          </select>
        </label>
        <Button variant="quiet" class="topbar__button" onClick={onHelp} title={t("app.helpDescription")}>
          {t("app.help")}
        </Button>
        <Button
          variant="quiet"
          class="topbar__button"
          onClick={onLock}
          title={t("app.lockDescription")}
          data-testid="lock"
        >
          <span aria-hidden="true" class="icon-lock" />
          {t("app.lock")}
        </Button>
      </div>
    </header>
  );
}

/** The name of the person using the register (or an invitation to say), opening the picker. */
function OperatorButton({ onClick }: { onClick: () => void }) {
  const { t } = useI18n();
  const { operator } = useSession().info;
  return (
    <Button
      variant="quiet"
      class="topbar__button topbar__operator"
      onClick={onClick}
      title={t("operator.change")}
      aria-haspopup="dialog"
      data-testid="operator-button"
    >
      <span aria-hidden="true" class="icon-person" />
      {operator ? (
        <>
          <span class="visually-hidden">{t("operator.header")} </span>
          <span class="topbar__operator-name">{personName(operator)}</span>
        </>
      ) : (
        t("operator.nobody")
      )}
    </Button>
  );
}

/** The current lab's name, or a picker among the register's labs. */
function LabName() {
  const { t } = useI18n();
  const toast = useToast();
  const { info, refresh } = useSession();
  const [busy, setBusy] = useState(false);
  const current = info.labs.find((l) => l.id === info.lab);

  if (info.labs.length <= 1) {
    return (
      <span class="topbar__lab" data-testid="lab-name">
        {current?.name ?? t("app.labFallback")}
      </span>
    );
  }

  const choose = async (id: string) => {
    if (id === info.lab) return;
    setBusy(true);
    try {
      await call(commands.selectLab(id));
      await refresh();
    } catch (err) {
      toast.error(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <label class="topbar__labpicker">
      <span class="visually-hidden">{t("shell.labPicker")}</span>
      <select
        value={info.lab ?? ""}
        disabled={busy}
        data-testid="lab-picker"
        onChange={(e) => void choose((e.currentTarget as HTMLSelectElement).value)}
      >
        {info.lab === null && <option value="">{t("shell.noLab")}</option>}
        {info.labs.map((lab) => (
          <option key={lab.id} value={lab.id}>
            {lab.name}
          </option>
        ))}
      </select>
    </label>
  );
}
