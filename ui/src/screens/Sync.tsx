import type { RefObject } from "preact";
import { useEffect, useId, useRef, useState } from "preact/hooks";
import { call } from "../api/call";
import { useLoad } from "../api/useLoad";
import {
  commands,
  events,
  type BundleImport,
  type HubLinkStatus,
  type RefusedDoc,
  type SyncOutcome,
  type SyncSummary,
} from "../bindings";
import { useSession } from "../app/session";
import { Button } from "../components/Button";
import { Loaded } from "../components/Loaded";
import { useToast } from "../components/Toast";
import "../components/widgets.css";
import { useI18n, type Translate } from "../i18n";
import { UpdatePanel } from "./sync/UpdatePanel";

/** Why the hub refused a document, as `SyncSummary.refused[].reason` says it. */
const REFUSED_REASONS = [
  "not_allowed",
  "read_only",
  "bad_bytes",
  "not_listed",
  "erased",
  "erasure_not_allowed",
  "restricted",
  "wrong_author",
  "too_large",
] as const;
type RefusedReason = (typeof REFUSED_REASONS)[number];

function isRefusedReason(reason: string): reason is RefusedReason {
  return (REFUSED_REASONS as readonly string[]).includes(reason);
}

/** A refusal's reason in words; a reason a newer hub invents gets a neutral text. */
export function refusedReasonText(t: Translate, reason: string): string {
  return isRefusedReason(reason) ? t(`sync.refusedReason.${reason}`) : t("sync.refusedReason.unknown");
}

/** `household:0190a…` → "Famiglia 0190a000": what a document is, and enough of its id to tell. */
export function docLabel(t: Translate, doc: string): string {
  const colon = doc.indexOf(":");
  const kind = colon >= 0 ? doc.slice(0, colon) : "";
  const id = (colon >= 0 ? doc.slice(colon + 1) : doc).slice(0, 8);
  switch (kind) {
    case "household":
      return t("sync.docKind.household", { id });
    case "lab":
      return t("sync.docKind.lab", { id });
    case "person":
      return t("sync.docKind.person", { id });
    case "project":
      return t("sync.docKind.project");
    case "training":
      return t("sync.docKind.training");
    default:
      return t("sync.docKind.unknown", { id });
  }
}

/** Bytes as "12 KB" (one decimal below 10), or MB from 1 MB. */
export function sizeText(t: Translate, bytes: number): string {
  const round = (n: number) => (n < 10 ? Math.round(n * 10) / 10 : Math.round(n));
  const kb = bytes / 1024;
  if (kb < 1024) return t("sync.size.kb", { n: round(kb) });
  return t("sync.size.mb", { n: round(kb / 1024) });
}

function outcomeText(t: Translate, outcome: SyncOutcome): string {
  return t(`sync.outcome.${outcome}`);
}

/**
 * Sincronizzazione: whether this computer is paired with the hub; if so,
 * the link (hub, role, lab, last sync and how it went), "Sincronizza ora"
 * with what it did, and sync bundles on a USB stick for labs without a
 * network. The Rust side may also sync by itself: `syncStatusChanged`
 * keeps the screen up to date.
 */
export function Sync() {
  const { t } = useI18n();
  const toast = useToast();
  // A failed reload keeps the link on screen (useLoad keeps the last value); the toast says why.
  const status = useLoad(() => call(commands.syncStatus()), [], { onError: toast.error });
  const reload = status.reload;

  return (
    <div data-testid="screen-sync">
      <h1>{t("sections.sync")}</h1>
      <Loaded load={status} failed={t("sync.loadFailed")} loadingLabel={t("sync.loading")} data-testid="sync-status">
        {({ link }) => (link === null ? <NotPaired /> : <Paired link={link} reload={reload} />)}
      </Loaded>
      <section class="page-section" aria-labelledby="sync-what">
        <h2 id="sync-what">{t("sync.what.title")}</h2>
        <p>{t("sync.what.body")}</p>
        <p>{t("sync.what.conflicts")}</p>
      </section>
    </div>
  );
}

/** No link: says so, and how pairing happens; no button that would only fail. */
function NotPaired() {
  const { t } = useI18n();
  return (
    <>
      <div class="notice notice--neutral" data-testid="sync-status" data-paired="false">
        <p class="notice__title">{t("sync.notPaired.title")}</p>
        <p>{t("sync.notPaired.body")}</p>
        <p>{t("sync.notPaired.how")}</p>
      </div>
      <section class="page-section" aria-labelledby="sync-bundle">
        <h2 id="sync-bundle">{t("sync.bundle.title")}</h2>
        <p class="muted" data-testid="bundle-unavailable">
          {t("sync.bundle.notPaired")}
        </p>
      </section>
    </>
  );
}

function Paired({ link, reload }: { link: HubLinkStatus; reload: () => Promise<void> }) {
  const { t, formatDate, formatTime } = useI18n();
  const toast = useToast();
  const { info, refresh } = useSession();
  const summaryRef = useRef<HTMLDivElement>(null);
  const [running, setRunning] = useState(false);
  /** A sync the Rust side announced (ours, or one it started by itself). */
  const [announced, setAnnounced] = useState(false);
  const [summary, setSummary] = useState<SyncSummary | null>(null);
  const syncing = running || announced;

  useEffect(() => {
    let stop: (() => void) | undefined;
    let gone = false;
    events.syncStatusChanged
      .listen((event) => {
        if (gone) return;
        setAnnounced(event.payload.syncing);
        if (!event.payload.syncing) void reload();
      })
      .then((unlisten) => {
        if (gone) unlisten();
        else stop = unlisten;
      })
      .catch(() => undefined);
    return () => {
      gone = true;
      stop?.();
    };
  }, [reload]);

  useEffect(() => {
    if (summary) summaryRef.current?.focus();
  }, [summary]);

  /** New documents may mean new labs or activity types: the session follows. */
  const refreshSession = () => {
    refresh().catch(() => undefined);
  };

  const syncNow = async () => {
    if (syncing) return;
    setSummary(null);
    setRunning(true);
    try {
      const result = await call(commands.syncNow());
      setSummary(result);
      if (result.docs_changed > 0) refreshSession();
    } catch (err) {
      toast.error(err);
    } finally {
      setRunning(false);
      void reload();
    }
  };

  const when = (iso: string) => t("sync.link.dateTime", { date: formatDate(iso), time: formatTime(iso) });
  const lab = link.lab === null ? null : info.labs.find((l) => l.id === link.lab);

  return (
    <>
      <div class="notice notice--neutral" data-testid="sync-status" data-paired="true">
        <p class="notice__title">{t("sync.link.title")}</p>
        <dl class="dl" data-testid="sync-link">
          <dt>{t("sync.link.hub")}</dt>
          <dd class="sync__url">{link.url}</dd>
          <dt>{t("sync.link.role")}</dt>
          <dd>{t(`sync.roles.${link.role}`)}</dd>
          <dt>{t("sync.link.lab")}</dt>
          <dd>{link.lab === null ? t("sync.link.allLabs") : (lab?.name ?? t("sync.link.labPending"))}</dd>
          <dt>{t("sync.link.lastSuccess")}</dt>
          <dd data-testid="sync-last-success">{link.last_success ? when(link.last_success) : t("sync.link.never")}</dd>
          {link.last_outcome && (
            <>
              <dt>{t("sync.link.lastAttempt")}</dt>
              <dd data-testid="sync-last-outcome" data-outcome={link.last_outcome}>
                {link.last_attempt
                  ? t("sync.link.attempt", { when: when(link.last_attempt), outcome: outcomeText(t, link.last_outcome) })
                  : outcomeText(t, link.last_outcome)}
              </dd>
            </>
          )}
        </dl>
      </div>

      <section class="page-section" aria-label={t("sync.now")}>
        <div class="toolbar">
          <Button variant="primary" busy={syncing} data-testid="sync-now" onClick={() => void syncNow()}>
            {t("sync.now")}
          </Button>
        </div>
        <p role="status" class="muted" data-testid="sync-progress">
          {syncing ? t("sync.running") : ""}
        </p>
        {summary && !syncing && <Summary summary={summary} focusRef={summaryRef} />}
      </section>

      <Bundles link={link} busy={syncing} onImported={refreshSession} />

      <UpdatePanel />
    </>
  );
}

function Summary({ summary, focusRef }: { summary: SyncSummary; focusRef: RefObject<HTMLDivElement | null> }) {
  const { t } = useI18n();
  const good = summary.outcome === "ok" || summary.outcome === "partial";
  const title =
    summary.outcome === "ok"
      ? t("sync.summary.ok")
      : summary.outcome === "partial"
        ? t("sync.summary.partial")
        : t("sync.summary.failed", { outcome: outcomeText(t, summary.outcome) });
  return (
    <div
      class={`notice ${summary.outcome === "ok" ? "notice--success" : good ? "notice--neutral" : "notice--warning"}`}
      data-testid="sync-summary"
      tabIndex={-1}
      ref={focusRef}
    >
      <p class="notice__title">{title}</p>
      <p>{t("sync.summary.docs", { n: summary.docs_changed })}</p>
      <p>{t("sync.summary.bytes", { sent: sizeText(t, summary.bytes_out), received: sizeText(t, summary.bytes_in) })}</p>
      {summary.refused.length > 0 && <Refused refused={summary.refused} />}
    </div>
  );
}

function Refused({ refused }: { refused: RefusedDoc[] }) {
  const { t } = useI18n();
  const id = `refused-${useId()}`;
  return (
    <>
      <p id={id}>{t("sync.summary.refused", { n: refused.length })}</p>
      <ul aria-labelledby={id} data-testid="sync-refused">
        {refused.map((r) => (
          <li key={`${r.doc} ${r.reason}`} data-reason={r.reason}>
            {t("sync.summary.refusedItem", { doc: docLabel(t, r.doc), reason: refusedReasonText(t, r.reason) })}
          </li>
        ))}
      </ul>
    </>
  );
}

type BundleResult = { kind: "exported"; path: string } | { kind: "imported"; counts: BundleImport };

/** Sync bundles on a USB stick: a lab's devices only (a coordinator's has no lab key). */
function Bundles({ link, busy, onImported }: { link: HubLinkStatus; busy: boolean; onImported: () => void }) {
  const { t } = useI18n();
  const toast = useToast();
  const resultRef = useRef<HTMLDivElement>(null);
  const [working, setWorking] = useState<"export" | "import" | null>(null);
  const [result, setResult] = useState<BundleResult | null>(null);

  useEffect(() => {
    if (result) resultRef.current?.focus();
  }, [result]);

  const run = async (what: "export" | "import") => {
    if (working || busy) return;
    setResult(null);
    setWorking(what);
    try {
      if (what === "export") {
        const path = await call(commands.exportBundle());
        // `null`: the user closed the save dialog. Nothing to say.
        if (path !== null) setResult({ kind: "exported", path });
      } else {
        const counts = await call(commands.importBundle());
        if (counts !== null) {
          setResult({ kind: "imported", counts });
          if (counts.changed > 0) onImported();
        }
      }
    } catch (err) {
      toast.error(err);
    } finally {
      setWorking(null);
    }
  };

  const usable = link.lab !== null;

  return (
    <section class="page-section" aria-labelledby="sync-bundle">
      <h2 id="sync-bundle">{t("sync.bundle.title")}</h2>
      <p>{t("sync.bundle.body")}</p>
      {!usable ? (
        <p class="muted" data-testid="bundle-unavailable">
          {t("sync.bundle.coordinator")}
        </p>
      ) : (
        <>
          <div class="toolbar">
            <Button
              data-testid="bundle-export"
              busy={working === "export"}
              disabled={busy || working === "import"}
              onClick={() => void run("export")}
            >
              {t("sync.bundle.export")}
            </Button>
            <Button
              data-testid="bundle-import"
              busy={working === "import"}
              disabled={busy || working === "export"}
              onClick={() => void run("import")}
            >
              {t("sync.bundle.import")}
            </Button>
          </div>
          <p role="status" class="muted">
            {working ? t("sync.bundle.working") : ""}
          </p>
          {result && (
            <div class="notice notice--success" data-testid="bundle-result" tabIndex={-1} ref={resultRef}>
              {result.kind === "exported" ? (
                <>
                  <p class="notice__title">{t("sync.bundle.saved")}</p>
                  <ul class="paths">
                    <li>{result.path}</li>
                  </ul>
                </>
              ) : (
                <>
                  <p class="notice__title">{t("sync.bundle.imported")}</p>
                  <p>
                    {t("sync.bundle.counts", {
                      changed: t("sync.bundle.changed", { n: result.counts.changed }),
                      unchanged: t("sync.bundle.unchanged", { n: result.counts.unchanged }),
                      skipped: t("sync.bundle.skipped", { n: result.counts.skipped }),
                    })}
                  </p>
                  {result.counts.skipped > 0 && <p>{t("sync.bundle.skippedWhy")}</p>}
                  {result.counts.refused > 0 && (
                    <p role="alert" data-testid="bundle-refused">
                      {t("sync.bundle.refused", { n: result.counts.refused })}
                    </p>
                  )}
                </>
              )}
            </div>
          )}
        </>
      )}
    </section>
  );
}
