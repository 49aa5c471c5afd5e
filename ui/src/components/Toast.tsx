import { createContext, createPortal, type ComponentChildren } from "preact";
import { useCallback, useContext, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { errorDetails, errorMessage } from "../api/errors";
import { useI18n } from "../i18n";

export type ToastKind = "success" | "info" | "error";

export interface ToastOptions {
  kind?: ToastKind;
  /** Technical detail behind a "Dettagli" disclosure (errors). */
  details?: string | undefined;
  /** Milliseconds before it goes; errors stay until dismissed unless set. */
  timeoutMs?: number;
}

export interface Toast {
  id: number;
  kind: ToastKind;
  message: string;
  details?: string | undefined;
}

export interface ToastApi {
  /** Shows a message; returns its id (for `dismiss`). */
  notify: (message: string, options?: ToastOptions) => number;
  /** "Salvato" and friends: polite, goes away by itself. */
  success: (message: string) => number;
  /** Anything a command rejected with, translated (`api/errors.ts`); stays until dismissed. */
  error: (err: unknown) => number;
  dismiss: (id: number) => void;
}

/** How long a success or info message stays (counted again after the pointer or focus leaves it). */
export const TOAST_TIMEOUT_MS = 5000;
/**
 * At most this many messages at once; the oldest go first. Three keep the
 * stack in the corner: more would reach up over the page's own controls.
 */
export const MAX_TOASTS = 3;

const noop: ToastApi = { notify: () => 0, success: () => 0, error: () => 0, dismiss: () => {} };
const ToastContext = createContext<ToastApi>(noop);

/** The messages API: `const toast = useToast(); toast.success(t("common.saved"))`. */
export function useToast(): ToastApi {
  return useContext(ToastContext);
}

/**
 * Owns the messages and renders the two live regions, always present so
 * screen readers announce what is added: role="status" (polite) for
 * confirmations, role="alert" (assertive) for errors. They sit at the end of
 * <body>, outside the app, so an open dialog does not make them inert.
 *
 * Confirmations go by themselves after `TOAST_TIMEOUT_MS` (not while the
 * pointer or focus is on the messages); errors stay until dismissed. At
 * most `MAX_TOASTS` are shown, the oldest going first, and a message equal
 * to one on screen replaces it: they never pile up over the page.
 */
export function ToastProvider({ children }: { children?: ComponentChildren }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  // The list as last set: several messages may come before the next render.
  const shown = useRef<Toast[]>([]);
  const nextId = useRef(1);
  // The messages that go by themselves: their timeout and running timer, by id.
  const timers = useRef(new Map<number, { timeout: number; timer: ReturnType<typeof setTimeout> | null }>());
  // While the pointer is over the messages or focus is in them, none goes:
  // nobody loses a message they are reading (WCAG 2.2.1).
  const holds = useRef({ pointer: false, focus: false });

  const show = useCallback((next: Toast[]) => {
    for (const x of shown.current) {
      if (next.includes(x)) continue;
      const entry = timers.current.get(x.id);
      if (entry?.timer != null) clearTimeout(entry.timer);
      timers.current.delete(x.id);
    }
    shown.current = next;
    setToasts(next);
  }, []);

  const dismiss = useCallback((id: number) => show(shown.current.filter((x) => x.id !== id)), [show]);

  const start = useCallback(
    (id: number, timeout: number) => {
      const held = holds.current.pointer || holds.current.focus;
      timers.current.set(id, { timeout, timer: held ? null : setTimeout(() => dismiss(id), timeout) });
    },
    [dismiss],
  );

  const notify = useCallback(
    (message: string, options: ToastOptions = {}) => {
      const id = nextId.current++;
      const kind = options.kind ?? "info";
      const toast: Toast = { id, kind, message, details: options.details };
      // The same message again (a retry that failed the same way) takes the
      // place of the one on screen instead of stacking a copy of it.
      const same = (x: Toast) => x.kind === kind && x.message === message && x.details === toast.details;
      show([...shown.current.filter((x) => !same(x)), toast].slice(-MAX_TOASTS));
      const timeout = options.timeoutMs ?? (kind === "error" ? undefined : TOAST_TIMEOUT_MS);
      if (timeout !== undefined) start(id, timeout);
      return id;
    },
    [show, start],
  );

  const hold = useCallback(
    (why: "pointer" | "focus", on: boolean) => {
      const before = holds.current.pointer || holds.current.focus;
      holds.current = { ...holds.current, [why]: on };
      const after = holds.current.pointer || holds.current.focus;
      if (before === after) return;
      for (const [id, entry] of timers.current) {
        if (entry.timer != null) clearTimeout(entry.timer);
        // Released: each message gets its whole time again.
        if (after) timers.current.set(id, { ...entry, timer: null });
        else start(id, entry.timeout);
      }
    },
    [start],
  );

  useEffect(() => {
    const all = timers.current;
    return () => {
      for (const entry of all.values()) if (entry.timer != null) clearTimeout(entry.timer);
      all.clear();
    };
  }, []);

  const api = useMemo<ToastApi>(
    () => ({
      notify,
      dismiss,
      success: (message) => notify(message, { kind: "success" }),
      error: (err) => notify(errorMessage(err), { kind: "error", details: errorDetails(err) }),
    }),
    [notify, dismiss],
  );

  return (
    <ToastContext.Provider value={api}>
      {children}
      {createPortal(<ToastRegion toasts={toasts} onDismiss={dismiss} onHold={hold} />, document.body)}
    </ToastContext.Provider>
  );
}

function ToastRegion({
  toasts,
  onDismiss,
  onHold,
}: {
  toasts: Toast[];
  onDismiss: (id: number) => void;
  onHold: (why: "pointer" | "focus", on: boolean) => void;
}) {
  const { t } = useI18n();
  const region = useRef<HTMLDivElement>(null);
  // A message closed under the pointer or from the keyboard takes the
  // pointer or the focus with it, and no mouseleave or focusout says so:
  // the next messages must not stay for good.
  useEffect(() => {
    if (toasts.length === 0) onHold("pointer", false);
    if (!region.current?.contains(document.activeElement)) onHold("focus", false);
  }, [toasts, onHold]);
  const item = (toast: Toast) => (
    <div key={toast.id} class={`toast toast--${toast.kind}`}>
      <div class="toast__content">
        <p class="toast__message">{toast.message}</p>
        {toast.details && (
          <details class="toast__details">
            <summary>{t("common.details")}</summary>
            <pre>{toast.details}</pre>
          </details>
        )}
      </div>
      <button type="button" class="btn btn--quiet toast__dismiss" onClick={() => onDismiss(toast.id)}>
        <span aria-hidden="true">×</span>
        <span class="visually-hidden">{t("common.dismiss")}</span>
      </button>
    </div>
  );
  return (
    <div
      ref={region}
      class="toasts"
      data-live-region=""
      aria-label={t("common.notifications")}
      onMouseEnter={() => onHold("pointer", true)}
      onMouseLeave={() => onHold("pointer", false)}
      onFocusIn={() => onHold("focus", true)}
      onFocusOut={(e) => {
        // From a message to its button is still inside.
        if (!region.current?.contains(e.relatedTarget as Node | null)) onHold("focus", false);
      }}
    >
      <div role="status" aria-live="polite" class="toasts__list">
        {toasts.filter((x) => x.kind !== "error").map(item)}
      </div>
      <div role="alert" aria-live="assertive" class="toasts__list">
        {toasts.filter((x) => x.kind === "error").map(item)}
      </div>
    </div>
  );
}
