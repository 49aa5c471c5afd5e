import { useEffect, useState } from "preact/hooks";
import { call } from "../../api/call";
import { errorMessage } from "../../api/errors";
import { commands, events, type UpdateStatus } from "../../bindings";
import { Button } from "../../components/Button";
import { Dialog } from "../../components/Dialog";
import { ProgressBar } from "../../components/ProgressBar";
import { useToast } from "../../components/Toast";
import { useI18n, type Translate } from "../../i18n";
import { sizeText } from "../Sync";

/** Why an update was refused or failed, in words (the `AppError` texts for `update`). */
function reasonText(reason: string): string {
  return errorMessage({ kind: "update", reason });
}

/**
 * *Aggiornamenti*: this computer's version and the hub's, what to do when
 * they cannot sync, and the release the hub offers. Nothing installs by
 * itself: the person downloads, then installs when they choose, here,
 * where no form is open.
 */
export function UpdatePanel() {
  const { t, lang } = useI18n();
  const toast = useToast();
  const [status, setStatus] = useState<UpdateStatus | null>(null);
  const [busy, setBusy] = useState<"check" | "download" | "install" | null>(null);
  const [confirming, setConfirming] = useState(false);

  useEffect(() => {
    let gone = false;
    let stop: (() => void) | undefined;
    call(commands.updateStatus())
      .then((s) => {
        if (!gone) setStatus(s);
      })
      .catch(() => undefined);
    events.updateStatusChanged
      .listen((event) => {
        if (!gone) setStatus(event.payload.status);
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
  }, []);

  const run = async (what: "check" | "download", action: () => Promise<UpdateStatus>) => {
    setBusy(what);
    try {
      setStatus(await action());
    } catch (err) {
      toast.error(err);
    } finally {
      setBusy(null);
    }
  };

  const install = async () => {
    setBusy("install");
    try {
      await call(commands.installUpdate());
    } catch (err) {
      toast.error(err);
      setConfirming(false);
    } finally {
      setBusy(null);
    }
  };

  if (!status) return null;
  const offer = status.offer;
  const download = status.download;
  const notes = offer ? (lang === "en" ? offer.notes_en : offer.notes_it) : "";

  return (
    <section class="page-section" aria-labelledby="update-title" data-testid="update-panel">
      <h2 id="update-title">{t("sync.update.title")}</h2>
      <dl class="dl">
        <dt>{t("sync.update.current")}</dt>
        <dd data-testid="update-current">{status.current}</dd>
        <dt>{t("sync.update.hubVersion")}</dt>
        <dd data-testid="update-hub">{status.hub ? status.hub.version : t("sync.update.notChecked")}</dd>
      </dl>
      <Skew t={t} status={status} />
      {status.installed_from === null ? (
        <p class="muted" data-testid="update-from-sources">
          {t("sync.update.fromSources")}
        </p>
      ) : (
        <>
          {status.refused && (
            <div class="notice notice--warning" role="alert" data-testid="update-refused" data-reason={status.refused}>
              <p>{t("sync.update.refused", { reason: reasonText(status.refused) })}</p>
            </div>
          )}
          {offer ? (
            <div class="notice notice--neutral" data-testid="update-offer" data-version={offer.version}>
              <p class="notice__title">{t("sync.update.offer", { version: offer.version, size: sizeText(t, offer.size) })}</p>
              {notes && <p>{notes}</p>}
              <p class="muted">{t("sync.update.verified")}</p>
              {download.state === "running" && (
                <ProgressBar
                  value={download.received}
                  max={download.total}
                  label={t("sync.update.downloading")}
                  valueText={t("sync.update.downloaded", {
                    received: sizeText(t, download.received),
                    total: sizeText(t, download.total),
                  })}
                  showText
                />
              )}
              {download.state === "failed" && (
                <p role="alert" data-testid="update-failed" data-reason={download.reason}>
                  {t("sync.update.failed", { reason: reasonText(download.reason) })}
                </p>
              )}
              {download.state === "ready" ? (
                <>
                  <p data-testid="update-ready">{t("sync.update.ready")}</p>
                  <div class="toolbar">
                    <Button variant="primary" data-testid="update-install" onClick={() => setConfirming(true)}>
                      {t("sync.update.install")}
                    </Button>
                  </div>
                </>
              ) : (
                download.state !== "running" && (
                  <div class="toolbar">
                    <Button
                      variant="primary"
                      busy={busy === "download"}
                      data-testid="update-download"
                      onClick={() => void run("download", () => call(commands.downloadUpdate()))}
                    >
                      {t("sync.update.download")}
                    </Button>
                  </div>
                )
              )}
            </div>
          ) : (
            status.hub && <p data-testid="update-none">{t("sync.update.upToDate")}</p>
          )}
          <div class="toolbar">
            <Button
              busy={busy === "check"}
              data-testid="update-check"
              onClick={() => void run("check", () => call(commands.checkForUpdate()))}
            >
              {t("sync.update.check")}
            </Button>
          </div>
        </>
      )}
      <Dialog
        open={confirming && offer !== null}
        title={t("sync.update.confirm.title", { version: offer?.version ?? "" })}
        onClose={() => setConfirming(false)}
        size="small"
        footer={
          <>
            <Button onClick={() => setConfirming(false)} data-testid="update-later">
              {t("sync.update.confirm.no")}
            </Button>
            <Button
              variant="primary"
              busy={busy === "install"}
              data-testid="update-install-now"
              onClick={() => void install()}
            >
              {t("sync.update.confirm.yes")}
            </Button>
          </>
        }
      >
        <p>{t("sync.update.confirm.body")}</p>
        {(status.installed_from === "deb" || status.installed_from === "rpm") && <p>{t("sync.update.confirm.admin")}</p>}
      </Dialog>
    </section>
  );
}

function Skew({ t, status }: { t: Translate; status: UpdateStatus }) {
  const skew = status.hub?.skew;
  if (!skew) return null;
  return (
    <div
      class={`notice ${skew === "app_older" ? "notice--warning" : "notice--neutral"}`}
      role="status"
      data-testid="update-skew"
      data-skew={skew}
    >
      <p>{skew === "app_older" ? t("sync.update.appOlder") : t("sync.update.hubOlder")}</p>
    </div>
  );
}
