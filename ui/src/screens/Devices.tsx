import type { RefObject } from "preact";
import { useEffect, useId, useRef, useState } from "preact/hooks";
import { call } from "../api/call";
import { useLoad } from "../api/useLoad";
import { useSession } from "../app/session";
import {
  commands,
  type Action,
  type DeviceEntry,
  type DeviceList,
  type DeviceRequest,
  type DeviceRole,
  type IssuedCode,
  type Lab,
} from "../bindings";
import { Button } from "../components/Button";
import { Dialog } from "../components/Dialog";
import { Loaded } from "../components/Loaded";
import { SelectField } from "../components/SelectField";
import { TextField } from "../components/TextField";
import { useToast } from "../components/Toast";
import "../components/widgets.css";
import { useI18n, type Translate } from "../i18n";
import { LabHolds } from "./devices/LabHolds";

/** Who sees the section: coordinators manage the devices, leads ask for one. */
export const DEVICES_RIGHTS = ["manage_devices", "ask_for_device"] as const satisfies readonly Action[];

/** Every role a pairing code can be for, in the form's order. */
const CODE_ROLES = ["volunteer", "operator", "lead", "coordinator"] as const satisfies readonly DeviceRole[];

/** What a lead may ask for. */
const ASK_ROLES = ["volunteer", "operator"] as const satisfies readonly DeviceRole[];

/** Active devices first, then by lab (coordinators' first), then by name. */
export function sortDevices(devices: readonly DeviceEntry[]): DeviceEntry[] {
  const rank = (d: DeviceEntry) => (d.revoked_at === null ? 0 : 1);
  const lab = (d: DeviceEntry) => d.lab ?? -1;
  return [...devices].sort(
    (a, b) => rank(a) - rank(b) || lab(a) - lab(b) || a.name.localeCompare(b.name, "it", { sensitivity: "base" }),
  );
}

/** "3 · Pavia Ovest" (the name when the register knows the lab), "Tutti" for none. */
function labText(t: Translate, labs: readonly Lab[], number: number | null): string {
  if (number === null) return t("devices.list.allLabs");
  const lab = labs.find((l) => l.number === number);
  return lab ? t("devices.list.labName", { number, name: lab.name }) : String(number);
}

/** An instant in milliseconds since 1970 as "25/11/2026 alle 17:42", in Pavia's time. */
function useWhen(): (ms: number) => string {
  const { t, formatDate, formatTime } = useI18n();
  return (ms) => {
    const d = new Date(ms);
    return t("devices.dateTime", { date: formatDate(d), time: formatTime(d) });
  };
}

/**
 * Dispositivi: coordinators (`manage_devices`) see the project's devices,
 * make one-time pairing codes, revoke a lost laptop and answer leads'
 * requests; leads (`ask_for_device`) ask for a new laptop for their lab.
 * Everything goes through the hub, which checks the rights again; the
 * section is shown only on a register paired with one (see `sections.ts`).
 */
export function Devices() {
  const { t } = useI18n();
  const { info } = useSession();
  const manages = info.rights.includes("manage_devices");
  const updates = info.rights.includes("manage_updates");
  const asks = info.rights.includes("ask_for_device");
  return (
    <div data-testid="screen-devices">
      <h1>{t("sections.devices")}</h1>
      {manages ? (
        <>
          <Manage />
          {updates && <LabHolds />}
        </>
      ) : asks ? (
        <AskForDevice />
      ) : (
        <p class="muted" data-testid="devices-no-right">
          {t("devices.noRight")}
        </p>
      )}
    </div>
  );
}

/** What the new-code form starts from: a lead's request it answers, or nothing. */
interface Prefill {
  role: DeviceRole;
  lab: number | null;
  request: DeviceRequest | null;
  /** Changes on every prefill, so the same request answered twice refocuses the form. */
  seq: number;
}

function Manage() {
  const { t } = useI18n();
  const toast = useToast();
  const load = useLoad(() => call(commands.listDevices()), [], { onError: toast.error });
  const [prefill, setPrefill] = useState<Prefill | null>(null);
  const [revoking, setRevoking] = useState<DeviceEntry | null>(null);
  const seq = useRef(0);

  const answer = (request: DeviceRequest) => {
    seq.current += 1;
    setPrefill({ role: request.role, lab: request.lab, request, seq: seq.current });
  };

  const dismiss = async (request: DeviceRequest) => {
    try {
      await call(commands.dismissDeviceRequest(request.id));
      toast.success(t("devices.requests.dismissed", { id: request.id }));
      if (prefill?.request?.id === request.id) setPrefill(null);
    } catch (err) {
      toast.error(err);
    }
    await load.reload();
  };

  return (
    <>
      <p class="lede">{t("devices.lede")}</p>
      <div class="toolbar">
        <Button data-testid="devices-refresh" busy={load.loading} onClick={() => void load.reload()}>
          {t("devices.refresh")}
        </Button>
      </div>
      <Loaded
        load={load}
        failed={t("devices.loadFailed")}
        loadingLabel={t("devices.loading")}
        data-testid="devices-failed"
      >
        {(list) => <Requests requests={list.requests} onAnswer={answer} onDismiss={(r) => void dismiss(r)} />}
      </Loaded>
      <NewCode prefill={prefill} onClearRequest={() => setPrefill(null)} onIssued={() => void load.reload()} />
      {load.data && <DeviceTable list={load.data} onRevoke={setRevoking} />}
      <RevokeDialog
        device={revoking}
        onClose={() => setRevoking(null)}
        onRevoked={() => {
          setRevoking(null);
          void load.reload();
        }}
      />
    </>
  );
}

function DeviceTable({ list, onRevoke }: { list: DeviceList; onRevoke: (device: DeviceEntry) => void }) {
  const { t } = useI18n();
  const { info } = useSession();
  const when = useWhen();
  const headingId = `devices-list-${useId()}`;
  const devices = sortDevices(list.devices);
  return (
    <section class="page-section" aria-labelledby={headingId}>
      <h2 id={headingId}>{t("devices.list.title")}</h2>
      {devices.length === 0 ? (
        <p class="muted">{t("devices.list.none")}</p>
      ) : (
        <div class="table-wrap">
          <table class="data-table" data-testid="devices-table">
            <thead>
              <tr>
                <th scope="col">{t("devices.list.name")}</th>
                <th scope="col">{t("devices.list.role")}</th>
                <th scope="col">{t("devices.list.lab")}</th>
                <th scope="col">{t("devices.list.version")}</th>
                <th scope="col">{t("devices.list.lastSync")}</th>
                <th scope="col">{t("devices.list.status")}</th>
                <th scope="col">{t("devices.list.actions")}</th>
              </tr>
            </thead>
            <tbody>
              {devices.map((d) => {
                const mine = d.id === list.this_device;
                return (
                  <tr key={d.id} data-testid="device-row" data-device={d.id} data-revoked={d.revoked_at !== null}>
                    <th scope="row">{d.name}</th>
                    <td>{t(`sync.roles.${d.role}`)}</td>
                    <td>{labText(t, info.labs, d.lab)}</td>
                    <td>{d.app_version ?? t("devices.list.noVersion")}</td>
                    <td data-testid="device-last-sync">
                      {d.last_sync === null ? t("devices.list.never") : when(d.last_sync)}
                    </td>
                    <td data-testid="device-status">
                      {d.revoked_at === null ? (
                        <span class="badge badge--success">{t("devices.list.active")}</span>
                      ) : (
                        <span class="badge badge--warning">
                          {t("devices.list.revoked", { when: when(d.revoked_at) })}
                        </span>
                      )}
                    </td>
                    <td>
                      {mine ? (
                        <span class="muted" data-testid="device-this">
                          {t("devices.list.thisDevice")}
                        </span>
                      ) : (
                        d.revoked_at === null && (
                          <Button variant="danger" data-testid="device-revoke" onClick={() => onRevoke(d)}>
                            {t("devices.revoke.button")}
                            <span class="visually-hidden"> {d.name}</span>
                          </Button>
                        )
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** "Revocare «Portatile 3»?": what revoking does, in plain words; "Annulla" has focus. */
function RevokeDialog({
  device,
  onClose,
  onRevoked,
}: {
  device: DeviceEntry | null;
  onClose: () => void;
  onRevoked: () => void;
}) {
  const { t } = useI18n();
  const toast = useToast();
  const cancel = useRef<HTMLButtonElement>(null);
  const [busy, setBusy] = useState(false);

  const revoke = async () => {
    if (!device || busy) return;
    setBusy(true);
    try {
      await call(commands.revokeDevice(device.id));
      toast.success(t("devices.revoke.done", { name: device.name }));
      onRevoked();
    } catch (err) {
      toast.error(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open={device !== null}
      onClose={onClose}
      title={device ? t("devices.revoke.title", { name: device.name }) : ""}
      initialFocus={cancel}
      size="small"
      footer={
        <>
          <Button ref={cancel} onClick={onClose} data-testid="revoke-cancel">
            {t("common.cancel")}
          </Button>
          <Button variant="danger" busy={busy} onClick={() => void revoke()} data-testid="revoke-confirm">
            {t("devices.revoke.confirm")}
          </Button>
        </>
      }
    >
      <ul data-testid="revoke-consequences">
        <li>{t("devices.revoke.next")}</li>
        {/* A coordinator's laptop has no lab, hence no bundle key to change. */}
        {device?.lab !== null && <li>{t("devices.revoke.key")}</li>}
        <li>{t("devices.revoke.stays")}</li>
      </ul>
      <p>{t("devices.revoke.undo")}</p>
    </Dialog>
  );
}

function Requests({
  requests,
  onAnswer,
  onDismiss,
}: {
  requests: readonly DeviceRequest[];
  onAnswer: (request: DeviceRequest) => void;
  onDismiss: (request: DeviceRequest) => void;
}) {
  const { t } = useI18n();
  const { info } = useSession();
  const when = useWhen();
  const headingId = `devices-requests-${useId()}`;
  const sorted = [...requests].sort((a, b) => a.asked_at - b.asked_at);
  return (
    <section class="page-section" aria-labelledby={headingId}>
      <h2 id={headingId}>{t("devices.requests.title")}</h2>
      {sorted.length === 0 ? (
        <p class="muted" data-testid="requests-none">
          {t("devices.requests.none")}
        </p>
      ) : (
        <div class="table-wrap">
          <table class="data-table" data-testid="requests-table">
            <thead>
              <tr>
                <th scope="col" class="num">
                  {t("devices.requests.number")}
                </th>
                <th scope="col">{t("devices.requests.lab")}</th>
                <th scope="col">{t("devices.requests.role")}</th>
                <th scope="col">{t("devices.requests.note")}</th>
                <th scope="col">{t("devices.requests.askedAt")}</th>
                <th scope="col">{t("devices.requests.actions")}</th>
              </tr>
            </thead>
            <tbody>
              {sorted.map((r) => (
                <tr key={r.id} data-testid="request-row" data-request={r.id}>
                  <th scope="row" class="num">
                    {r.id}
                  </th>
                  <td>{labText(t, info.labs, r.lab)}</td>
                  <td>{t(`sync.roles.${r.role}`)}</td>
                  <td>{r.note}</td>
                  <td>{when(r.asked_at)}</td>
                  <td>
                    <div class="toolbar">
                      <Button
                        data-testid="request-answer"
                        aria-label={t("devices.requests.answerFor", { id: r.id })}
                        onClick={() => onAnswer(r)}
                      >
                        {t("devices.requests.answer")}
                      </Button>
                      <Button
                        variant="quiet"
                        data-testid="request-dismiss"
                        aria-label={t("devices.requests.dismissFor", { id: r.id })}
                        onClick={() => onDismiss(r)}
                      >
                        {t("devices.requests.dismiss")}
                      </Button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** The lab a new code starts with: this laptop's (the default one), else the first known. */
function defaultLab(labs: readonly Lab[], current: string | null): number | null {
  return (labs.find((l) => l.id === current) ?? labs[0])?.number ?? null;
}

function NewCode({
  prefill,
  onClearRequest,
  onIssued,
}: {
  prefill: Prefill | null;
  onClearRequest: () => void;
  onIssued: () => void;
}) {
  const { t } = useI18n();
  const toast = useToast();
  const { info } = useSession();
  const headingId = `devices-code-${useId()}`;
  const roleRef = useRef<HTMLSelectElement>(null);
  const issuedRef = useRef<HTMLDivElement>(null);
  const [role, setRole] = useState<DeviceRole>("volunteer");
  const [lab, setLab] = useState<number | null>(() => defaultLab(info.labs, info.lab));
  const [busy, setBusy] = useState(false);
  const [issued, setIssued] = useState<IssuedCode | null>(null);
  const request = prefill?.request ?? null;

  // Answering a request: its role and lab, and the form gets focus.
  useEffect(() => {
    if (!prefill) return;
    setRole(prefill.role);
    if (prefill.lab !== null) setLab(prefill.lab);
    roleRef.current?.focus();
  }, [prefill?.seq]);

  useEffect(() => {
    if (issued) issuedRef.current?.focus();
  }, [issued]);

  const needsLab = role !== "coordinator";

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setIssued(null);
    try {
      const code = await call(commands.createPairingCode(role, needsLab ? lab : null, request?.id ?? null));
      setIssued(code);
      if (request) onClearRequest();
      onIssued();
    } catch (err) {
      toast.error(err);
    } finally {
      setBusy(false);
    }
  };

  const labOptions = info.labs.map((l) => ({
    value: String(l.number),
    label: t("devices.list.labName", { number: l.number, name: l.name }),
  }));

  return (
    <section class="page-section" aria-labelledby={headingId}>
      <h2 id={headingId}>{t("devices.code.title")}</h2>
      <p>{t("devices.code.intro")}</p>
      <form class="panel" noValidate onSubmit={(e) => void submit(e)} data-testid="new-code">
        {request && (
          <div class="notice notice--neutral" data-testid="code-answering">
            <p>{t("devices.code.answering", { id: request.id, note: request.note })}</p>
            <Button variant="quiet" onClick={onClearRequest}>
              {t("devices.code.stopAnswering")}
            </Button>
          </div>
        )}
        <div class="form-grid">
          <SelectField
            label={t("devices.code.role")}
            value={role}
            selectRef={roleRef}
            data-testid="code-role"
            options={CODE_ROLES.map((r) => ({ value: r, label: t(`sync.roles.${r}`) }))}
            onValueChange={(v) => setRole(CODE_ROLES.find((r) => r === v) ?? "volunteer")}
          />
          {needsLab ? (
            <SelectField
              label={t("devices.code.lab")}
              value={lab === null ? "" : String(lab)}
              data-testid="code-lab"
              options={labOptions}
              disabled={labOptions.length === 0}
              hint={labOptions.length === 0 ? t("devices.code.noLabs") : undefined}
              onValueChange={(v) => setLab(Number(v))}
            />
          ) : (
            <p class="muted" data-testid="code-no-lab">
              {t("devices.code.coordinatorLab")}
            </p>
          )}
        </div>
        <Button type="submit" variant="primary" busy={busy} data-testid="code-submit">
          {t("devices.code.submit")}
        </Button>
      </form>
      {issued && <Issued code={issued} focusRef={issuedRef} />}
    </section>
  );
}

/** The code just made, large and spaced as the hub wrote it, with its expiry. */
function Issued({ code, focusRef }: { code: IssuedCode; focusRef: RefObject<HTMLDivElement | null> }) {
  const { t } = useI18n();
  const when = useWhen();
  const lab =
    code.lab === null ? t("devices.code.issuedAllLabs") : t("devices.code.issuedLab", { number: code.lab });
  return (
    <div class="notice notice--success" data-testid="issued-code" tabIndex={-1} ref={focusRef}>
      <p class="notice__title">{t("devices.code.issuedTitle", { role: t(`sync.roles.${code.role}`), lab })}</p>
      <p class="pairing-code" data-testid="issued-code-value" aria-label={t("devices.code.label")}>
        {code.code}
      </p>
      <p data-testid="issued-code-expiry">{t("devices.code.expires", { when: when(code.expires_at) })}</p>
      <p>{t("devices.code.once")}</p>
    </div>
  );
}

/** A lead's request for a new laptop of the lead's own lab. */
function AskForDevice() {
  const { t } = useI18n();
  const toast = useToast();
  const headingId = `devices-ask-${useId()}`;
  const sentRef = useRef<HTMLDivElement>(null);
  const [role, setRole] = useState<(typeof ASK_ROLES)[number]>("volunteer");
  const [note, setNote] = useState("");
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState<number | null>(null);

  useEffect(() => {
    if (sent !== null) sentRef.current?.focus();
  }, [sent]);

  const noteError = note.trim() === "" ? t("devices.ask.noteRequired") : undefined;

  const submit = async (event: Event) => {
    event.preventDefault();
    setTried(true);
    if (noteError || busy) return;
    setBusy(true);
    setSent(null);
    try {
      const id = await call(commands.askForDevice(role, note.trim()));
      setSent(id);
      setNote("");
      setTried(false);
    } catch (err) {
      toast.error(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="page-section" aria-labelledby={headingId}>
      <h2 id={headingId}>{t("devices.ask.title")}</h2>
      <p>{t("devices.ask.intro")}</p>
      <form class="panel" noValidate onSubmit={(e) => void submit(e)} data-testid="ask-device">
        <div class="form-grid">
          <SelectField
            label={t("devices.ask.role")}
            value={role}
            data-testid="ask-role"
            options={ASK_ROLES.map((r) => ({ value: r, label: t(`sync.roles.${r}`) }))}
            onValueChange={(v) => setRole(ASK_ROLES.find((r) => r === v) ?? "volunteer")}
          />
          <TextField
            label={t("devices.ask.note")}
            hint={t("devices.ask.noteHint")}
            value={note}
            required
            maxLength={200}
            data-testid="ask-note"
            onValueChange={setNote}
            error={tried ? noteError : undefined}
          />
        </div>
        <Button type="submit" variant="primary" busy={busy} data-testid="ask-submit">
          {t("devices.ask.submit")}
        </Button>
      </form>
      {sent !== null && (
        <div class="notice notice--success" data-testid="ask-sent" tabIndex={-1} ref={sentRef}>
          <p class="notice__title">{t("devices.ask.sent", { id: sent })}</p>
          <p>{t("devices.ask.sentNext")}</p>
        </div>
      )}
    </section>
  );
}
