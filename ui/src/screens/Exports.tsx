import { Channel } from "@tauri-apps/api/core";
import { useEffect, useId, useRef, useState } from "preact/hooks";
import { appErrorOf, call } from "../api/call";
import { useLoad, type Load } from "../api/useLoad";
import { useSession } from "../app/session";
import {
  commands,
  type AuditEntry,
  type Language,
  type Request as Options,
  type PrivacyLevel as Privacy,
  type Progress,
  type Stage,
} from "../bindings";
import { Button } from "../components/Button";
import { Loaded } from "../components/Loaded";
import { ProgressBar } from "../components/ProgressBar";
import {
  SelectionPicker,
  defaultSelection,
  selectionProblem,
  toSelection,
  type SelectionValue,
} from "../components/SelectionPicker";
import { useToast } from "../components/Toast";
import "../components/widgets.css";
import { LANGUAGES, useI18n, type Translate } from "../i18n";
import { useIndicators } from "./indicators/useIndicators";

/** The formats offered here (a single meeting's PDF is printed from its page). */
export const EXPORT_FORMATS = ["csv_zip", "csv", "xlsx", "pdf_months"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const PRIVACIES: readonly Privacy[] = ["pseudonymised", "full"];

/** Which export: the register's tables, or the half-yearly monitoring (decision 0032). */
export const REPORTS = ["register", "monitoring"] as const;
export type Report = (typeof REPORTS)[number];

/** The formats of each report: the monitoring has no PDF. */
export function formatsOf(report: Report): readonly ExportFormat[] {
  return report === "monitoring" ? EXPORT_FORMATS.filter((f) => f !== "pdf_months") : EXPORT_FORMATS;
}

/** What the form holds. */
export interface ExportForm {
  report: Report;
  selection: SelectionValue;
  format: ExportFormat;
  privacy: Privacy;
  language: Language;
}

/** Every lab over the whole project, a zip of CSV files, pseudonymised, in Italian. */
export function defaultExportForm(today: string): ExportForm {
  return {
    report: "register",
    selection: defaultSelection(today),
    format: "csv_zip",
    privacy: "pseudonymised",
    language: "it",
  };
}

/** The form for another report: a format that report has not falls back to the workbook. */
export function withReport(form: ExportForm, report: Report): ExportForm {
  return { ...form, report, format: formatsOf(report).includes(form.format) ? form.format : "xlsx" };
}

/** The Rust side's export `Options` for the form. */
export function buildExportOptions(form: ExportForm): Options {
  return {
    selection: toSelection(form.selection),
    format: form.format,
    privacy: form.privacy,
    language: form.language,
  };
}

/** "Scrittura di presenze" and friends. */
export function stageText(stage: Stage, t: Translate): string {
  if (typeof stage === "object") return t("exports.run.stage.writing", { name: stage.writing });
  return t(`exports.run.stage.${stage}`);
}

/** What an audit row's details say (the core writes `{ options, files, rows, report? }`; anything may be missing). */
export interface AuditSummary {
  /** `"monitoring"` for the half-yearly monitoring; `null` for the register. */
  report: string | null;
  format: string | null;
  privacy: string | null;
  from: string | null;
  to: string | null;
  /** "all", or how many labs. */
  labs: "all" | number | null;
  files: number | null;
  rows: number | null;
  /** The year of a yearly register. */
  year: number | null;
}

function obj(v: unknown): Record<string, unknown> | null {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function str(v: unknown): string | null {
  return typeof v === "string" ? v : null;
}

/** Reads an audit row's details defensively: they are JSON written by whichever app version exported. */
export function auditSummary(details: unknown): AuditSummary {
  const d = obj(details);
  const options = obj(d?.options);
  const selection = obj(options?.selection);
  const period = obj(selection?.period);
  const labs = selection?.labs;
  const only = obj(labs)?.only;
  const format = options?.format;
  return {
    report: str(d?.report),
    format: str(format) ?? (obj(format) ? Object.keys(obj(format) ?? {})[0] ?? null : null),
    privacy: str(options?.privacy),
    from: str(period?.from),
    to: str(period?.to),
    labs: labs === "all" ? "all" : Array.isArray(only) ? only.length : null,
    files: Array.isArray(d?.files) ? d.files.length : null,
    rows: typeof d?.rows === "number" ? d.rows : null,
    year: typeof d?.year === "number" ? d.year : null,
  };
}

function isExportFormat(v: string | null): v is ExportFormat {
  return v !== null && (EXPORT_FORMATS as readonly string[]).includes(v);
}

/**
 * Esportazioni: labs and period, format, privacy; a preview of what goes
 * out; the export itself with progress and cancel; the audit log.
 */
export function Exports() {
  const { t } = useI18n();
  const { info } = useSession();
  const toast = useToast();
  const [form, setForm] = useState<ExportForm>(() => defaultExportForm(info.today));
  const [progress, setProgress] = useState<Progress | null>(null);
  const [running, setRunning] = useState(false);
  const [saved, setSaved] = useState<string[] | null>(null);
  const [cancelling, setCancelling] = useState(false);
  const resultRef = useRef<HTMLDivElement>(null);
  const set = (patch: Partial<ExportForm>) => {
    setSaved(null);
    setForm((f) => ({ ...f, ...patch }));
  };

  const log = useLoad(() => call(commands.auditLog(20)), [], { onError: toast.error });

  useEffect(() => {
    if (saved) resultRef.current?.focus();
  }, [saved]);

  const start = async () => {
    if (running || selectionProblem(form.selection)) return;
    setSaved(null);
    setProgress(null);
    setCancelling(false);
    setRunning(true);
    const channel = new Channel<Progress>();
    channel.onmessage = (p) => setProgress(p);
    try {
      const options = buildExportOptions(form);
      const result = await call(
        form.report === "monitoring"
          ? commands.exportMonitoring(options, channel)
          : commands.exportRegister(options, channel),
      );
      // `null`: the user closed the save dialog. Nothing to say.
      if (result) {
        setSaved(result.paths);
        void log.reload();
      }
    } catch (err) {
      if (appErrorOf(err)?.kind === "cancelled") toast.notify(t("exports.run.cancelled"), { kind: "info" });
      else toast.error(appErrorOf(err) ?? err);
    } finally {
      setRunning(false);
      setProgress(null);
    }
  };

  const cancel = async () => {
    setCancelling(true);
    try {
      await call(commands.cancelExport());
    } catch (err) {
      toast.error(appErrorOf(err) ?? err);
    }
  };

  const invalid = selectionProblem(form.selection) !== null;
  const formatLegend = `fmt-${useId()}`;
  const formats = formatsOf(form.report);

  return (
    <div data-testid="screen-exports">
      <h1>{t("sections.exports")}</h1>
      <p class="lede">{t("exports.lede")}</p>
      <section class="page-section" aria-label={t("exports.what")}>
        <SelectionPicker
          value={form.selection}
          onChange={(selection) => set({ selection })}
          labs={info.labs}
          today={info.today}
          labMode="multiple"
        />
        <fieldset class="fieldset">
          <legend>{t("exports.report.legend")}</legend>
          <div class="choices choices--column">
            {REPORTS.map((r) => (
              <label class="choice" key={r}>
                <input
                  type="radio"
                  name="export-report"
                  value={r}
                  checked={form.report === r}
                  onChange={() => {
                    setSaved(null);
                    setForm((f) => withReport(f, r));
                  }}
                />
                <span>
                  {t(`exports.report.${r}.label`)} <span class="muted">— {t(`exports.report.${r}.hint`)}</span>
                </span>
              </label>
            ))}
          </div>
        </fieldset>
        <div class="two-columns">
          <fieldset class="fieldset" aria-describedby={formatLegend}>
            <legend>{t("exports.format.legend")}</legend>
            <div class="choices choices--column">
              {formats.map((f) => (
                <label class="choice" key={f}>
                  <input
                    type="radio"
                    name="export-format"
                    value={f}
                    checked={form.format === f}
                    onChange={() => set({ format: f })}
                  />
                  <span>
                    {t(`exports.format.${f}.label`)} <span class="muted">— {t(`exports.format.${f}.hint`)}</span>
                  </span>
                </label>
              ))}
            </div>
            <p class="muted" id={formatLegend}>
              {t("exports.format.where")}
              {form.report === "monitoring" && <> {t("exports.report.noPdf")}</>}
            </p>
          </fieldset>
          <fieldset class="fieldset">
            <legend>{t("exports.privacy.legend")}</legend>
            <div class="choices choices--column">
              {PRIVACIES.map((p) => (
                <label class="choice" key={p}>
                  <input
                    type="radio"
                    name="export-privacy"
                    value={p}
                    checked={form.privacy === p}
                    onChange={() => set({ privacy: p })}
                  />
                  <span>
                    {t(`exports.privacy.${p}.label`)} <span class="muted">— {t(`exports.privacy.${p}.hint`)}</span>
                  </span>
                </label>
              ))}
            </div>
            {form.privacy === "full" && (
              <div class="notice notice--warning" data-testid="full-warning">
                <p>{t("exports.privacy.fullWarning")}</p>
              </div>
            )}
            <label class="inline-field">
              <span>{t("exports.language")}</span>
              <select
                class="select"
                value={form.language}
                onChange={(e) => {
                  const v = (e.currentTarget as HTMLSelectElement).value;
                  if (v === "it" || v === "en") set({ language: v });
                }}
              >
                {LANGUAGES.map((l) => (
                  <option key={l} value={l} lang={l}>
                    {t(`languages.${l}`)}
                  </option>
                ))}
              </select>
            </label>
          </fieldset>
        </div>
      </section>
      <Preview form={form} />
      <section class="page-section" aria-label={t("exports.run.title")}>
        <div class="toolbar">
          <Button variant="primary" data-testid="export-start" busy={running} disabled={invalid} onClick={() => void start()}>
            {t("exports.run.start")}
          </Button>
          {running && (
            <Button data-testid="export-cancel" busy={cancelling} onClick={() => void cancel()}>
              {t("exports.run.cancel")}
            </Button>
          )}
        </div>
        {running && (
          <div class="export-progress" data-testid="export-progress">
            <ProgressBar
              value={progress?.done ?? 0}
              max={progress?.total ?? 0}
              label={t("exports.run.progress")}
              valueText={
                progress
                  ? `${stageText(progress.stage, t)}: ${t("exports.run.progressText", { done: progress.done, total: progress.total })}`
                  : t("exports.run.waiting")
              }
            />
          </div>
        )}
        <p role="status" class="muted" data-testid="export-stage">
          {running ? (progress ? stageText(progress.stage, t) : t("exports.run.waiting")) : ""}
        </p>
        {saved && (
          <div class="notice notice--success" data-testid="export-done" tabIndex={-1} ref={resultRef}>
            <p class="notice__title">{t("exports.done.title")}</p>
            <p>{t("exports.done.files", { n: saved.length })}</p>
            <ul class="paths">
              {saved.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          </div>
        )}
      </section>
      <AuditLog log={log} />
    </div>
  );
}

function Preview({ form }: { form: ExportForm }) {
  const { t, formatDate } = useI18n();
  const headingId = `preview-${useId()}`;
  const { data, loading } = useIndicators(form.selection);
  const labs =
    form.selection.labs === "all"
      ? t("exports.preview.allLabs")
      : t("exports.preview.someLabs", { n: form.selection.labs.length });
  return (
    <section class="page-section" aria-labelledby={headingId} data-testid="export-preview">
      <h2 id={headingId}>{t("exports.preview.title")}</h2>
      <div class="panel" aria-busy={loading ? "true" : "false"}>
        {selectionProblem(form.selection) ? (
          <p class="muted">{t("exports.preview.invalid")}</p>
        ) : !data ? (
          <p class="muted">{t("exports.preview.computing")}</p>
        ) : (
          <>
            <p data-testid="export-preview-what">
              {t("exports.preview.what", {
                from: formatDate(form.selection.from),
                to: formatDate(form.selection.to),
                labs,
                meetings: t("counts.meetings", { n: data.total.meetings }),
                attendances: t("exports.preview.attendances", { n: data.total.attendances }),
                families: t("exports.preview.families", { n: data.total.families_reached }),
              })}
            </p>
            {data.total.meetings === 0 && <p class="muted">{t("exports.preview.empty")}</p>}
            <p data-testid="export-preview-privacy">
              <strong>
                {form.privacy === "pseudonymised" ? t("exports.preview.pseudonymised") : t("exports.preview.full")}
              </strong>
            </p>
          </>
        )}
      </div>
    </section>
  );
}

function AuditLog({ log }: { log: Load<AuditEntry[]> }) {
  const { t } = useI18n();
  const headingId = `audit-${useId()}`;
  return (
    <section class="page-section" aria-labelledby={headingId}>
      <h2 id={headingId}>{t("exports.audit.title")}</h2>
      <p class="muted">{t("exports.audit.intro")}</p>
      <Loaded load={log}>
        {(entries) =>
          entries.length === 0 ? <p class="muted">{t("exports.audit.none")}</p> : <AuditTable entries={entries} />
        }
      </Loaded>
    </section>
  );
}

function AuditTable({ entries }: { entries: AuditEntry[] }) {
  const { t, formatDate, formatTime } = useI18n();
  const describe = (e: AuditEntry): string => {
    const s = auditSummary(e.details);
    const parts: string[] = [];
    if (s.report === "monitoring") parts.push(t("exports.audit.monitoring"));
    if (isExportFormat(s.format)) parts.push(t(`exports.format.${s.format}.label`));
    else if (s.format === "pdf_meeting") parts.push(t("exports.audit.pdfMeeting"));
    if (s.from && s.to) parts.push(`${formatDate(s.from)} – ${formatDate(s.to)}`);
    if (s.year !== null) parts.push(String(s.year));
    if (s.labs === "all") parts.push(t("exports.preview.allLabs"));
    else if (typeof s.labs === "number") parts.push(t("exports.preview.someLabs", { n: s.labs }));
    if (s.files !== null) parts.push(t("exports.audit.files", { n: s.files }));
    if (s.rows !== null) parts.push(t("exports.audit.rows", { n: s.rows }));
    return parts.join(" · ") || "—";
  };
  const action = (key: string) => (isAuditAction(key) ? t(`exports.audit.actions.${key}`) : key);
  return (
    <div class="table-wrap">
      <table class="data-table data-table--compact" data-testid="audit-log">
        <thead>
          <tr>
            <th scope="col">{t("exports.audit.when")}</th>
            <th scope="col">{t("exports.audit.action")}</th>
            <th scope="col">{t("exports.audit.details")}</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.id}>
              <th scope="row">
                {formatDate(e.at)} {formatTime(e.at)}
              </th>
              <td>
                {action(e.action)}
                {e.action === "export_full" && <span class="badge badge--warning">{t("exports.audit.withNames")}</span>}
              </td>
              <td>{describe(e)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The audit log's actions this build has words for. */
const AUDIT_ACTIONS = [
  "export",
  "export_full",
  "training_sign_in_sheet",
  "training_certificate",
  "volunteer_erasure",
  "volunteer_subject_access",
  "volunteers_register",
] as const;

function isAuditAction(key: string): key is (typeof AUDIT_ACTIONS)[number] {
  return (AUDIT_ACTIONS as readonly string[]).includes(key);
}
