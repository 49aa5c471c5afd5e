import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { useI18n } from "../i18n";
import { focusHeading } from "../lib/focus";
import { mark } from "../lib/marks";
import { Header } from "./Header";
import { HelpDialog } from "./HelpDialog";
import { Nav } from "./Nav";
import { OperatorDialog } from "./OperatorDialog";
import {
  DEFAULT_SECTION,
  numberedSections,
  sectionById,
  sectionShown,
  sectionsFor,
  type SectionId,
} from "./sections";
import { useSession } from "./session";
import { matchShortcut } from "./shortcuts";

export interface ShellProps {
  initialSection?: SectionId | undefined;
  /** Told of every navigation (the root remembers the section across a lock). */
  onSectionChange?: ((id: SectionId) => void) | undefined;
  /** The lock button: the root saves what is pending, locks and shows the unlock screen. */
  onLock?: (() => void) | undefined;
  /**
   * Asks "Chi sta usando il registro?" as soon as the shell appears (the
   * register was just unlocked or created); the header asks again later.
   */
  askOperator?: boolean | undefined;
}

/**
 * The layout of the open register: skip link, top bar, left navigation,
 * and the current screen in <main>. Navigation is state: `navigate(id)`
 * renders the section's screen, updates the window title and moves focus
 * to its heading. Needs the session (`SessionProvider`) for the lab.
 */
export function Shell({ initialSection = DEFAULT_SECTION, onSectionChange, onLock, askOperator = false }: ShellProps) {
  const { t, lang } = useI18n();
  const { rights, role } = useSession().info;
  const paired = role !== null;
  // A section this device does not show (its rights) opens the default one.
  const [section, setSection] = useState<SectionId>(() =>
    sectionShown(initialSection, rights, paired) ? initialSection : DEFAULT_SECTION,
  );
  const [helpOpen, setHelpOpen] = useState(false);
  // Drawn with the shell, not a render later: the first screen is one pass.
  const [operatorOpen, setOperatorOpen] = useState(askOperator);
  const main = useRef<HTMLElement>(null);
  /** The section whose heading gets focus once it has rendered. */
  const focusPending = useRef<SectionId | null>(null);

  const shown = useRef(section);
  shown.current = section;
  const sectionChanged = useRef(onSectionChange);
  sectionChanged.current = onSectionChange;

  const navigate = useCallback((id: SectionId) => {
    if (id === shown.current) {
      // Already there: no render will happen, so move focus now.
      focusHeading(main.current);
      return;
    }
    focusPending.current = id;
    setSection(id);
    sectionChanged.current?.(id);
  }, []);

  // Compare with this render's section: an effect left over from an
  // earlier render (Preact may run it just before the next one) must not
  // steal the focus meant for the new screen.
  useEffect(() => {
    if (focusPending.current === section) {
      focusPending.current = null;
      focusHeading(main.current);
    }
  });

  const current = sectionById(section);

  useEffect(() => {
    document.title = t("app.titleWithSection", { section: t(current.label) });
  }, [current, lang, t]);

  // The shell takes focus to the screen's heading when it first appears
  // (after unlocking, or the first run): the lock or start button is gone.
  // Before the first paint, and before the picker of who is using the
  // register (open from the first render when asked) takes it: the picker
  // gives focus back to the heading when it closes.
  useLayoutEffect(() => {
    if (!main.current?.contains(document.activeElement)) focusHeading(main.current);
    // Once, when the shell appears.
  }, []);
  useEffect(() => {
    // Effects run after the browser painted: the shell is on screen.
    mark("shell-mounted");
  }, []);

  const lock = useCallback(() => {
    setHelpOpen(false);
    setOperatorOpen(false);
    onLock?.();
  }, [onLock]);

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented) return;
      // While a dialog is open, its own keys rule (Tab trap, Esc).
      if (document.querySelector("[aria-modal='true']")) return;
      const shown = sectionsFor(rights, paired);
      const sections = numberedSections(rights, paired);
      const letters = shown.flatMap((s) => ("letter" in s ? [s.letter] : []));
      const action = matchShortcut(event, sections.length, letters);
      if (!action) return;
      event.preventDefault();
      if (action.type === "help") {
        setHelpOpen(true);
      } else if (action.type === "letter") {
        const target = shown.find((s) => "letter" in s && s.letter === action.letter);
        if (target) navigate(target.id);
      } else {
        const target = sections[action.index];
        if (target) navigate(target.id);
      }
    };
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, [navigate, rights, paired]);

  const Screen = current.Screen;
  return (
    <div class="shell">
      <a
        class="skip-link"
        href="#main"
        onClick={(event) => {
          event.preventDefault();
          focusHeading(main.current);
        }}
      >
        {t("app.skipToContent")}
      </a>
      <Header onLock={lock} onHelp={() => setHelpOpen(true)} onOperator={() => setOperatorOpen(true)} />
      <div class="shell__body">
        <Nav current={section} onNavigate={navigate} />
        <main id="main" class="main" ref={main} tabIndex={-1}>
          <Screen />
        </main>
      </div>
      <HelpDialog open={helpOpen} onClose={() => setHelpOpen(false)} />
      <OperatorDialog open={operatorOpen} onClose={() => setOperatorOpen(false)} />
    </div>
  );
}
