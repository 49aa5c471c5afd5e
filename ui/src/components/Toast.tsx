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

/** How long a success or info message stays. */
export const TOAST_TIMEOUT_MS = 5000;
/** At most this many messages at once; the oldest go first. */
const MAX_TOASTS = 4;

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
 */
export function ToastProvider({ children }: { children?: ComponentChildren }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextId = useRef(1);
  const timers = useRef(new Map<number, ReturnType<typeof setTimeout>>());

  const dismiss = useCallback((id: number) => {
    const timer = timers.current.get(id);
    if (timer !== undefined) clearTimeout(timer);
    timers.current.delete(id);
    setToasts((list) => list.filter((toast) => toast.id !== id));
  }, []);

  const notify = useCallback(
    (message: string, options: ToastOptions = {}) => {
      const id = nextId.current++;
      const kind = options.kind ?? "info";
      setToasts((list) => [...list, { id, kind, message, details: options.details }].slice(-MAX_TOASTS));
      const timeout = options.timeoutMs ?? (kind === "error" ? undefined : TOAST_TIMEOUT_MS);
      if (timeout !== undefined) timers.current.set(id, setTimeout(() => dismiss(id), timeout));
      return id;
    },
    [dismiss],
  );

  useEffect(() => {
    const all = timers.current;
    return () => {
      for (const timer of all.values()) clearTimeout(timer);
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
      {createPortal(<ToastRegion toasts={toasts} onDismiss={dismiss} />, document.body)}
    </ToastContext.Provider>
  );
}

function ToastRegion({ toasts, onDismiss }: { toasts: Toast[]; onDismiss: (id: number) => void }) {
  const { t } = useI18n();
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
    <div class="toasts" data-live-region="" aria-label={t("common.notifications")}>
      <div role="status" aria-live="polite" class="toasts__list">
        {toasts.filter((x) => x.kind !== "error").map(item)}
      </div>
      <div role="alert" aria-live="assertive" class="toasts__list">
        {toasts.filter((x) => x.kind === "error").map(item)}
      </div>
    </div>
  );
}
