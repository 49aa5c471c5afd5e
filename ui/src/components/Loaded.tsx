import type { ComponentChildren } from "preact";
import type { Load } from "../api/useLoad";
import { useI18n } from "../i18n";
import { Button } from "./Button";
import { Spinner } from "./Spinner";

export interface LoadFailedProps {
  /** What could not be loaded; defaults to "Impossibile caricare questi dati." */
  message?: string | undefined;
  onRetry: () => unknown;
  /** A retry is running: the button says so and cannot be pressed twice. */
  busy?: boolean;
  "data-testid"?: string | undefined;
}

/** "Could not load this" and a "Riprova" button: the state of a section whose load failed. */
export function LoadFailed({ message, onRetry, busy = false, "data-testid": testId }: LoadFailedProps) {
  const { t } = useI18n();
  return (
    <div class="notice notice--warning" data-testid={testId}>
      <p>{message ?? t("common.loadFailed")}</p>
      <Button busy={busy} onClick={() => void onRetry()}>
        {t("common.retry")}
      </Button>
    </div>
  );
}

export interface LoadedProps<T> {
  /** What `useLoad` returned. */
  load: Load<T>;
  /** The content, once there is a value. */
  children: (data: T) => ComponentChildren;
  /** For `LoadFailed`; defaults to the generic text. */
  failed?: string | undefined;
  /** For the spinner; defaults to "Caricamento…". */
  loadingLabel?: string | undefined;
  /** On the failure notice. */
  "data-testid"?: string | undefined;
}

/**
 * A loaded section's three states: a spinner until the first value, a
 * notice with a retry if the load failed with nothing to show, otherwise
 * the content (a failed reload keeps the last value; the toast says why).
 */
export function Loaded<T>({ load, children, failed, loadingLabel, "data-testid": testId }: LoadedProps<T>) {
  if (load.data !== null) return <>{children(load.data)}</>;
  if (load.error !== null)
    return <LoadFailed message={failed} onRetry={load.reload} busy={load.loading} data-testid={testId} />;
  return <Spinner label={loadingLabel} />;
}
