import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { call } from "../api/call";
import { errorDetails, errorMessage } from "../api/errors";
import { commands, events, type SessionInfo } from "../bindings";
import { Button } from "../components/Button";
import { ToastProvider, useToast } from "../components/Toast";
import { I18nProvider, setLanguage, useI18n } from "../i18n";
import { focusHeading } from "../lib/focus";
import { FirstRun } from "../screens/FirstRun";
import { Locked } from "../screens/Locked";
import { askFirstWeek } from "../screens/meetings/firstWeek";
import { flushAllSaves } from "../screens/meetings/saveQueue";
import { DEFAULT_SECTION, type SectionId } from "./sections";
import { SessionProvider, type Session } from "./session";
import { Shell } from "./Shell";
import "./app.css";

export interface AppProps {
  /** The section shown first once the register is open. */
  initialSection?: SectionId | undefined;
}

/** The root: language, messages, then whichever of first run, unlock or the shell applies. */
export function App(props: AppProps) {
  return (
    <I18nProvider>
      <ToastProvider>
        <Root {...props} />
      </ToastProvider>
    </I18nProvider>
  );
}

type Phase =
  | { kind: "starting" }
  | { kind: "failed"; error: unknown }
  | { kind: "new" }
  | { kind: "locked"; idleMinutes?: number | undefined }
  /** `ask`: just unlocked or created, so the shell asks who is using it. */
  | { kind: "open"; info: SessionInfo; ask: boolean };

/**
 * Where the app is on this computer: asks the Rust side (`appStatus`),
 * applies the saved language before showing anything, then shows the first
 * run, the unlock screen or the shell. The `registerLocked` event (idle
 * lock) and the lock button both lead back to the unlock screen; unlocking
 * returns to the section that was open. After unlocking or creating a
 * register (demo or paired), the shell asks who is using it.
 */
function Root({ initialSection = DEFAULT_SECTION }: AppProps) {
  const toast = useToast();
  const [phase, setPhase] = useState<Phase>({ kind: "starting" });
  const section = useRef<SectionId>(initialSection);

  const boot = useCallback(async () => {
    setPhase({ kind: "starting" });
    try {
      const status = await call(commands.appStatus());
      // Before the first screen with words: it must already speak the user's language.
      setLanguage(status.settings.language ?? "it");
      if (status.register === "new") setPhase({ kind: "new" });
      else if (status.register === "locked") setPhase({ kind: "locked" });
      // Already open (the window was reloaded): whoever was named still is.
      else setPhase({ kind: "open", info: await call(commands.sessionInfo()), ask: false });
    } catch (error) {
      setPhase({ kind: "failed", error });
    }
  }, []);

  useEffect(() => {
    void boot();
  }, [boot]);

  // The Rust side locked the register after inactivity.
  useEffect(() => {
    let unlisten: (() => void) | undefined;
    let gone = false;
    events.registerLocked
      .listen((event) => {
        setPhase((p) => (p.kind === "open" ? { kind: "locked", idleMinutes: event.payload.after_minutes } : p));
      })
      .then((stop) => {
        if (gone) stop();
        else unlisten = stop;
      })
      .catch(() => undefined);
    return () => {
      gone = true;
      unlisten?.();
    };
  }, []);

  const lock = useCallback(async () => {
    // What was typed a moment ago is saved before the register closes.
    await flushAllSaves();
    try {
      await call(commands.lockRegister());
    } catch (err) {
      toast.error(err);
    }
    // Hidden anyway: the families' data leaves the screen even if locking failed.
    setPhase({ kind: "locked" });
  }, [toast]);

  const open = useCallback((info: SessionInfo) => {
    askFirstWeek(info.lab, info.today, section.current === "meetings");
    setPhase({ kind: "open", info, ask: true });
  }, []);

  const refresh = useCallback(async () => {
    const info = await call(commands.sessionInfo());
    setPhase((p) => (p.kind === "open" ? { ...p, info } : p));
  }, []);

  const info = phase.kind === "open" ? phase.info : null;
  const session = useMemo<Session | null>(() => (info ? { info, refresh } : null), [info, refresh]);

  switch (phase.kind) {
    case "starting":
      // No words yet: the language is not known.
      return <div class="app-starting" aria-busy="true" />;
    case "failed":
      return <StartFailed error={phase.error} onRetry={() => void boot()} />;
    case "new":
      return <FirstRun onCreated={open} onExists={() => setPhase({ kind: "locked" })} />;
    case "locked":
      return <Locked onUnlocked={open} idleMinutes={phase.idleMinutes} />;
    case "open":
      return session ? (
        <SessionProvider value={session}>
          <Shell
            initialSection={section.current}
            onSectionChange={(id) => {
              section.current = id;
            }}
            onLock={() => void lock()}
            askOperator={phase.ask}
          />
        </SessionProvider>
      ) : null;
    default: {
      const _never: never = phase;
      return _never;
    }
  }
}

function StartFailed({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  const { t } = useI18n();
  const main = useRef<HTMLElement>(null);
  useEffect(() => focusHeading(main.current), []);
  const details = errorDetails(error);
  return (
    <main id="main" class="locked" tabIndex={-1} ref={main}>
      <div class="locked__panel">
        <h1>{t("shell.startFailedTitle")}</h1>
        <p role="alert">{errorMessage(error)}</p>
        <p>{t("shell.startFailedBody")}</p>
        {details && (
          <details class="app-details">
            <summary>{t("common.details")}</summary>
            <pre>{details}</pre>
          </details>
        )}
        <Button variant="primary" onClick={onRetry}>
          {t("shell.retry")}
        </Button>
      </div>
    </main>
  );
}
