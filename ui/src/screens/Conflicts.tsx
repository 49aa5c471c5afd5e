import { useState } from "preact/hooks";
import { appErrorOf, call } from "../api/call";
import { useLoad } from "../api/useLoad";
import { commands, type Action, type ConflictEntry, type ConflictSubject, type Lab } from "../bindings";
import { Button } from "../components/Button";
import { Loaded } from "../components/Loaded";
import { useToast } from "../components/Toast";
import "../components/widgets.css";
import { isTextKey, translateLoose, useI18n, type Language, type Translate } from "../i18n";
import { useSession } from "../app/session";
import { announceConflictsChanged } from "./conflicts/count";

/** Who sees the section: coordinators and leads (`review_conflicts`). */
export const CONFLICTS_RIGHTS = ["review_conflicts"] as const satisfies readonly Action[];

/** What a conflicting field belongs to, in words: "Famiglia PV01-0003 · Anna Rossi". */
export function subjectText(t: Translate, s: ConflictSubject, formatDate: (d: string) => string): string {
  switch (s.kind) {
    case "household":
      return t("conflicts.subject.household", { code: s.code, name: s.name });
    case "meeting":
      return s.date === null
        ? t("conflicts.subject.meetingNoDate", { theme: s.theme })
        : t("conflicts.subject.meeting", { date: formatDate(s.date), theme: s.theme });
    case "lab":
      return t("conflicts.subject.lab");
    case "person":
      return t("conflicts.subject.person", { name: s.name, code: s.code });
    case "project":
      return t("conflicts.subject.project");
    case "training":
      return t("conflicts.subject.training");
  }
}

/** A field's name from its path below the subject: its last key, when the catalogue names it. */
export function fieldText(lang: Language, field: string): string {
  const last = field.split(".").pop() ?? field;
  const key = `conflicts.fields.${last}`;
  return isTextKey(key) ? translateLoose(lang, key) : field;
}

function labName(labs: readonly Lab[], id: string | null): string | null {
  if (id === null) return null;
  return labs.find((l) => l.id === id)?.name ?? null;
}

/**
 * Modifiche in conflitto: every field, in every document this computer
 * holds, where two computers entered different values, with who wrote each
 * and when; choosing one writes it again (`resolve_conflict`, the same
 * command the family's page uses). Coordinators and leads; a conflict in a
 * document this computer may not change is shown without the choice.
 */
export function Conflicts() {
  const { t } = useI18n();
  const toast = useToast();
  const load = useLoad(() => call(commands.listConflicts()), [], { onError: toast.error });
  return (
    <div data-testid="screen-conflicts">
      <h1>{t("sections.conflicts")}</h1>
      <p class="lede">{t("conflicts.lede")}</p>
      <div class="toolbar">
        <Button data-testid="conflicts-refresh" busy={load.loading} onClick={() => void load.reload()}>
          {t("conflicts.refresh")}
        </Button>
      </div>
      <Loaded
        load={load}
        failed={t("conflicts.loadFailed")}
        loadingLabel={t("conflicts.loading")}
        data-testid="conflicts-failed"
      >
        {(queue) =>
          queue.conflicts.length === 0 ? (
            <p class="muted" data-testid="conflicts-none">
              {t("conflicts.none")}
            </p>
          ) : (
            <>
              {queue.total > queue.conflicts.length && (
                <p class="muted" data-testid="conflicts-more">
                  {t("conflicts.more", { shown: queue.conflicts.length, total: queue.total })}
                </p>
              )}
              <ul class="conflict-list" data-testid="conflict-list">
                {queue.conflicts.map((entry) => (
                  <ConflictItem
                    key={`${entry.conflict.doc.kind}:${entry.conflict.doc.id}:${entry.conflict.conflict.path}`}
                    entry={entry}
                    onResolved={() => void load.reload()}
                  />
                ))}
              </ul>
            </>
          )
        }
      </Loaded>
    </div>
  );
}

function ConflictItem({ entry, onResolved }: { entry: ConflictEntry; onResolved: () => void }) {
  const { t, lang, formatDate, formatTime } = useI18n();
  const toast = useToast();
  const { info } = useSession();
  const [busy, setBusy] = useState(false);
  const c = entry.conflict;
  const field = fieldText(lang, c.field);
  const lab = labName(info.labs, c.lab);

  const choose = async (id: string, text: string) => {
    setBusy(true);
    try {
      await call(commands.resolveConflict(c.doc, c.conflict.path, id));
      toast.success(t("conflicts.chosen", { value: text, field }));
    } catch (err) {
      if (appErrorOf(err)?.kind === "not_found") toast.notify(t("conflicts.gone"), { kind: "info" });
      else toast.error(err);
    } finally {
      setBusy(false);
      announceConflictsChanged();
      onResolved();
    }
  };

  return (
    <li class="conflict" data-testid="conflict">
      <p class="conflict__subject">
        <strong data-testid="conflict-subject">{subjectText(t, c.subject, formatDate)}</strong>
        {lab !== null && <span class="muted"> · {t("conflicts.lab", { name: lab })}</span>}
      </p>
      <p data-testid="conflict-field">{t("conflicts.field", { field })}</p>
      <ul class="conflict__values">
        {c.conflict.values.map((v, i) => {
          const author = entry.authors[i];
          const by =
            author?.name != null
              ? t("conflicts.by.name", { name: author.name })
              : author?.this_device
                ? t("conflicts.by.thisDevice")
                : t("conflicts.by.otherDevice");
          const at = v.at === null ? "" : ` ${t("conflicts.at", { date: formatDate(new Date(v.at)), time: formatTime(v.at) })}`;
          return (
            <li key={v.id} data-testid="conflict-value">
              <span class="conflict__value" data-testid="conflict-value-text">
                «{v.text === "" ? t("conflicts.empty") : v.text}»
              </span>{" "}
              {i === 0 && <span class="badge">{t("conflicts.shown")}</span>}{" "}
              <span class="muted">
                {by}
                {at}
              </span>{" "}
              {entry.may_resolve && (
                <Button
                  data-testid="conflict-choose"
                  busy={busy}
                  aria-label={`${t("conflicts.choose")}: ${v.text}`}
                  onClick={() => void choose(v.id, v.text)}
                >
                  {t("conflicts.choose")}
                </Button>
              )}
            </li>
          );
        })}
      </ul>
      {!entry.may_resolve && (
        <p class="muted" data-testid="conflict-read-only">
          {c.resolvable ? t("conflicts.readOnly") : t("conflicts.privileged")}
        </p>
      )}
    </li>
  );
}
