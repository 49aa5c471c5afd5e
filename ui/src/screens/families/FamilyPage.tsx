import { useEffect, useId, useRef, useState } from "preact/hooks";
import { appErrorOf, call } from "../../api/call";
import { useLoad } from "../../api/useLoad";
import { useSession } from "../../app/session";
import {
  commands,
  type FamilyDetail,
  type Household,
  type HouseholdId,
  type ReferralSource,
} from "../../bindings";
import { Button } from "../../components/Button";
import { activityLabel, labName } from "../../components/labels";
import { Loaded } from "../../components/Loaded";
import { TextField } from "../../components/TextField";
import { useToast } from "../../components/Toast";
import { useI18n, type Translate } from "../../i18n";
import { parseIsoDate } from "../../lib/dates";
import { Duplicates } from "./Duplicates";
import { ConsentSection } from "./ConsentSection";
import { Erasure } from "./Erasure";
import { Restriction } from "./Restriction";
import { FamilyTrail } from "./FamilyTrail";
import { byMeeting, conflictLabel, isMinor, memberName } from "./format";
import { announceConflictsChanged } from "../conflicts/count";

export interface FamilyPageProps {
  id: HouseholdId;
  onBack: () => void;
  onOpen: (id: HouseholdId) => void;
}

/** A family's page: members, contacts, consent, pathways, attendance, duplicates. */
export function FamilyPage({ id, onBack, onOpen }: FamilyPageProps) {
  const { t } = useI18n();
  const toast = useToast();
  const heading = useRef<HTMLHeadingElement>(null);
  const focused = useRef(false);
  const family = useLoad(() => call(commands.getFamily(id)), [id], { onError: toast.error });
  const detail = family.data;

  // Say where we are once the family is there (the button that opened it is gone).
  useEffect(() => {
    if (detail && !focused.current) {
      focused.current = true;
      heading.current?.focus();
    }
  }, [detail]);

  const h = detail?.household;
  return (
    <div class="family-page" data-testid="family-page" data-loaded={detail ? "true" : "false"}>
      <h1 ref={heading} tabIndex={-1}>
        {h ? t("families.page.title", { code: h.code }) : t("families.page.loadingTitle")}
      </h1>
      <div class="toolbar">
        <Button variant="quiet" data-testid="family-back" onClick={onBack}>
          <span aria-hidden="true">←</span> {t("families.page.back")}
        </Button>
      </div>
      <Loaded load={family} failed={t("families.page.loadError")}>
        {(detail) => <Sections detail={detail} reload={family.reload} onBack={onBack} onOpen={onOpen} />}
      </Loaded>
    </div>
  );
}

/** Everything on the page once the family is there. */
function Sections({
  detail,
  reload,
  onBack,
  onOpen,
}: { detail: FamilyDetail; reload: () => Promise<void> } & Omit<FamilyPageProps, "id">) {
  const h = detail.household;
  return (
    <>
      <Summary household={h} />
      <MergedNotice household={h} reload={reload} onOpen={onOpen} />
      <Conflicts detail={detail} reload={reload} />
      <div class="two-columns">
        <Members household={h} reload={reload} />
        <Contacts household={h} reload={reload} />
      </div>
      <div class="two-columns">
        <Areas household={h} />
        <ConsentSection household={h} reload={reload} />
      </div>
      <Pathways household={h} />
      <Attendance detail={detail} />
      <Duplicates family={h} duplicates={detail.duplicates} reload={reload} onOpen={onOpen} />
      <FamilyTrail id={h.id} />
      <Restriction family={h} reload={reload} />
      <Erasure family={h} onErased={onBack} />
    </>
  );
}

function Summary({ household: h }: { household: Household }) {
  const { t, formatDate } = useI18n();
  const { info } = useSession();
  return (
    <dl class="dl">
      <dt>{t("families.page.code")}</dt>
      <dd class="code">{h.code}</dd>
      <dt>{t("families.page.lab")}</dt>
      <dd>{labName(info.labs, h.lab)}</dd>
      <dt>{t("families.page.registeredOn")}</dt>
      <dd>{formatDate(h.created_at)}</dd>
      {h.restriction && (
        <>
          <dt class="visually-hidden">{t("families.consent.restrictedTitle")}</dt>
          <dd>
            <span class="badge badge--warning" data-testid="restricted-badge">
              {t("families.consent.restricted")}
            </span>
          </dd>
        </>
      )}
    </dl>
  );
}

/** Shown on the page of a family that was merged into another. */
function MergedNotice({
  household: h,
  reload,
  onOpen,
}: {
  household: Household;
  reload: () => Promise<void>;
  onOpen: (id: HouseholdId) => void;
}) {
  const { t } = useI18n();
  const toast = useToast();
  const winner = h.merged_into;
  const [busy, setBusy] = useState(false);
  // Not on this computer (an error): the notice says "another family".
  const winnerFamily = useLoad(() => (winner ? call(commands.getFamily(winner)) : Promise.resolve(null)), [winner]);
  const winnerCode = winnerFamily.data?.household.code ?? null;

  if (!winner) return null;
  const act = async (what: "undo" | "confirm") => {
    setBusy(true);
    try {
      if (what === "undo") {
        await call(commands.undoMerge(h.id));
        toast.success(t("families.duplicates.undone", { code: h.code }));
      } else {
        await call(commands.confirmMerge(h.id));
        toast.success(t("families.merged.confirmedNow"));
      }
      await reload();
    } catch (err) {
      toast.error(appErrorOf(err) ?? err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="notice notice--warning" data-testid={h.merge_confirmed ? "merged-notice" : "merge-pending"}>
      <p class="notice__title">
        {winnerCode ? t("families.merged.title", { code: winnerCode }) : t("families.merged.titleUnknown")}
      </p>
      <p>{h.merge_confirmed ? t("families.merged.confirmed") : t("families.duplicates.pendingBody")}</p>
      <div class="toolbar">
        <Button onClick={() => onOpen(winner)}>
          {winnerCode ? t("families.merged.open", { code: winnerCode }) : t("families.merged.openUnknown")}
        </Button>
        {!h.merge_confirmed && (
          <>
            <Button data-testid="merge-undo" busy={busy} onClick={() => void act("undo")}>
              {t("families.duplicates.undo")}
            </Button>
            <Button variant="primary" data-testid="merge-confirm" busy={busy} onClick={() => void act("confirm")}>
              {t("families.duplicates.confirm")}
            </Button>
          </>
        )}
      </div>
    </div>
  );
}

function Conflicts({ detail, reload }: { detail: FamilyDetail; reload: () => Promise<void> }) {
  const { t } = useI18n();
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  if (detail.conflicts.length === 0) return null;
  const h = detail.household;
  // The same command as the queue of conflicting edits: one way to choose.
  const choose = async (path: string, id: string, text: string) => {
    setBusy(true);
    try {
      await call(commands.resolveConflict({ kind: "household", id: h.id }, path, id));
      toast.success(t("conflicts.chosen", { value: text, field: conflictLabel(path, h, t) }));
    } catch (err) {
      if (appErrorOf(err)?.kind === "not_found") toast.notify(t("conflicts.gone"), { kind: "info" });
      else toast.error(err);
    } finally {
      setBusy(false);
      announceConflictsChanged();
      await reload();
    }
  };
  return (
    <div class="notice notice--warning" data-testid="family-conflicts">
      <p class="notice__title">{t("families.conflicts.title")}</p>
      <p>{t("families.conflicts.body")}</p>
      <ul>
        {detail.conflicts.map((c) => (
          <li key={c.path}>
            <strong>{conflictLabel(c.path, h, t)}</strong>:{" "}
            {c.values.map((v, i) => (
              <span key={v.id}>
                {i > 0 && ` ${t("families.conflicts.or")} `}«{v.text}»{i === 0 && ` (${t("families.conflicts.shown")})`}{" "}
                <Button
                  data-testid="family-conflict-choose"
                  busy={busy}
                  aria-label={`${t("conflicts.choose")}: ${v.text}`}
                  onClick={() => void choose(c.path, v.id, v.text)}
                >
                  {t("families.conflicts.choose")}
                </Button>
              </span>
            ))}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The latest year a birth year may be: this year. */
function birthYearProblem(text: string, thisYear: number, t: Translate): string | undefined {
  if (text.trim() === "") return undefined;
  const y = Number(text.trim());
  if (!/^\d{4}$/.test(text.trim()) || y < 1900 || y > thisYear) {
    return t("families.members.birthYearInvalid", { year: String(thisYear) });
  }
  return undefined;
}

function Members({ household: h, reload }: { household: Household; reload: () => Promise<void> }) {
  const { t } = useI18n();
  const toast = useToast();
  const { info } = useSession();
  const headingId = `members-${useId()}`;
  const [adding, setAdding] = useState(false);
  const [first, setFirst] = useState("");
  const [last, setLast] = useState("");
  const [year, setYear] = useState("");
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const firstRef = useRef<HTMLElement>(null);
  const thisYear = parseIsoDate(info.today).year;

  // A minor joins only once the family's record says who signs for the
  // minors (the core refuses otherwise); a family with no record at all is
  // asked for one on its consent section, not here.
  const needsGuardian =
    h.consent !== null && h.consent.guardian === null && /^\d{4}$/.test(year.trim()) && isMinor(Number(year.trim()), info.today);
  const errors = {
    first: first.trim() === "" ? t("families.members.firstRequired") : undefined,
    last: last.trim() === "" ? t("families.members.lastRequired") : undefined,
    year: birthYearProblem(year, thisYear, t) ?? (needsGuardian ? t("families.members.needsGuardian") : undefined),
  };

  const save = async (event: Event) => {
    event.preventDefault();
    setTried(true);
    if (errors.first || errors.last || errors.year) return;
    setBusy(true);
    try {
      await call(
        commands.addMember(h.id, {
          first_name: first.trim(),
          last_name: last.trim(),
          birth_year: year.trim() === "" ? null : Number(year.trim()),
        }),
      );
      toast.success(t("families.members.added"));
      setFirst("");
      setLast("");
      setYear("");
      setTried(false);
      setAdding(false);
      await reload();
    } catch (err) {
      toast.error(appErrorOf(err) ?? err);
    } finally {
      setBusy(false);
    }
  };

  useEffect(() => {
    if (adding) firstRef.current?.focus();
  }, [adding]);

  return (
    <section class="page-section" aria-labelledby={headingId}>
      <h2 id={headingId}>{t("families.members.title")}</h2>
      <div class="table-wrap">
        <table class="data-table">
          <thead>
            <tr>
              <th scope="col">{t("families.members.name")}</th>
              <th scope="col">{t("families.members.birthYear")}</th>
            </tr>
          </thead>
          <tbody>
            {h.members.map((m) => (
              <tr key={m.id}>
                <th scope="row">
                  {m.first_name} {m.last_name}
                  {m.id === h.reference && <span class="badge badge--info">{t("families.members.reference")}</span>}
                  {isMinor(m.birth_year, info.today) && <span class="badge">{t("families.members.minor")}</span>}
                </th>
                <td>{m.birth_year ?? <span class="muted">{t("families.members.unknownYear")}</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {adding ? (
        <form class="panel" onSubmit={(e) => void save(e)} noValidate aria-label={t("families.members.addTitle")}>
          <div class="form-grid">
            <TextField
              label={t("families.members.firstName")}
              value={first}
              onValueChange={setFirst}
              required
              inputRef={firstRef}
              error={tried ? errors.first : undefined}
              data-testid="member-first"
            />
            <TextField
              label={t("families.members.lastName")}
              value={last}
              onValueChange={setLast}
              required
              error={tried ? errors.last : undefined}
              data-testid="member-last"
            />
            <TextField
              label={t("families.members.birthYear")}
              hint={t("families.members.birthYearHint")}
              value={year}
              inputMode="numeric"
              maxLength={4}
              onValueChange={setYear}
              error={tried ? errors.year : undefined}
              data-testid="member-year"
            />
          </div>
          <div class="toolbar">
            <Button type="submit" variant="primary" busy={busy} data-testid="member-save">
              {t("families.members.save")}
            </Button>
            <Button onClick={() => setAdding(false)}>{t("common.cancel")}</Button>
          </div>
        </form>
      ) : (
        <Button onClick={() => setAdding(true)} data-testid="member-add">
          {t("families.members.add")}
        </Button>
      )}
    </section>
  );
}

function Contacts({ household: h, reload }: { household: Household; reload: () => Promise<void> }) {
  const { t } = useI18n();
  const toast = useToast();
  const headingId = `contacts-${useId()}`;
  const [editing, setEditing] = useState(false);
  const [phone, setPhone] = useState(h.contacts.phone);
  const [busy, setBusy] = useState(false);
  const phoneRef = useRef<HTMLElement>(null);
  const none = <span class="muted">{t("families.contacts.none")}</span>;

  useEffect(() => {
    if (editing) phoneRef.current?.focus();
  }, [editing]);

  const save = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    try {
      await call(
        commands.updateFamily(h.id, {
          contacts: { ...h.contacts, phone: phone.trim() },
          areas: null,
          referral: null,
          consent: null,
          reference: null,
        }),
      );
      toast.success(t("families.contacts.phoneSaved"));
      setEditing(false);
      await reload();
    } catch (err) {
      toast.error(appErrorOf(err) ?? err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="page-section" aria-labelledby={headingId}>
      <h2 id={headingId}>{t("families.contacts.title")}</h2>
      <dl class="dl">
        <dt>{t("families.contacts.phone")}</dt>
        <dd>{h.contacts.phone || none}</dd>
        <dt>{t("families.contacts.email")}</dt>
        <dd>{h.contacts.email || none}</dd>
        <dt>{t("families.contacts.address")}</dt>
        <dd>{h.contacts.address || none}</dd>
      </dl>
      {editing ? (
        <form class="panel" onSubmit={(e) => void save(e)} noValidate>
          <TextField
            label={t("families.contacts.phone")}
            type="tel"
            autoComplete="off"
            value={phone}
            onValueChange={setPhone}
            inputRef={phoneRef}
          />
          <div class="toolbar">
            <Button type="submit" variant="primary" busy={busy}>
              {t("families.contacts.savePhone")}
            </Button>
            <Button
              onClick={() => {
                setPhone(h.contacts.phone);
                setEditing(false);
              }}
            >
              {t("common.cancel")}
            </Button>
          </div>
        </form>
      ) : (
        <Button
          onClick={() => {
            setPhone(h.contacts.phone);
            setEditing(true);
          }}
        >
          {t("families.contacts.editPhone")}
        </Button>
      )}
    </section>
  );
}

/** The catalogue key of a referral source (`other` is a reserved word in the catalogue). */
function referralKey(r: ReferralSource) {
  return r === "other" ? ("families.referral.otherSource" as const) : (`families.referral.${r}` as const);
}

function Areas({ household: h }: { household: Household }) {
  const { t } = useI18n();
  const headingId = `areas-${useId()}`;
  return (
    <section class="page-section" aria-labelledby={headingId}>
      <h2 id={headingId}>{t("families.areas.title")}</h2>
      {h.areas.length === 0 ? (
        <p class="muted">{t("families.areas.none")}</p>
      ) : (
        <ul>
          {h.areas.map((a) => (
            <li key={a}>{t(`families.areas.kinds.${a}`)}</li>
          ))}
        </ul>
      )}
      <dl class="dl">
        <dt>{t("families.areas.referral")}</dt>
        <dd>{h.referral ? t(referralKey(h.referral)) : <span class="muted">{t("families.contacts.none")}</span>}</dd>
      </dl>
    </section>
  );
}

function Pathways({ household: h }: { household: Household }) {
  const { t, formatDate } = useI18n();
  const headingId = `pathways-${useId()}`;
  return (
    <section class="page-section" aria-labelledby={headingId}>
      <h2 id={headingId}>{t("families.pathways.title")}</h2>
      {h.pathways.length === 0 ? (
        <p class="muted">{t("families.pathways.none")}</p>
      ) : (
        <div class="table-wrap">
          <table class="data-table">
            <thead>
              <tr>
                <th scope="col">{t("families.pathways.kind")}</th>
                <th scope="col">{t("families.pathways.status")}</th>
                <th scope="col">{t("families.pathways.start")}</th>
                <th scope="col">{t("families.pathways.end")}</th>
              </tr>
            </thead>
            <tbody>
              {h.pathways.map((p) => (
                <tr key={p.id}>
                  <th scope="row">{t(`families.pathways.kinds.${p.kind}`)}</th>
                  <td>{t(`families.pathways.statuses.${p.status}`)}</td>
                  <td>{formatDate(p.start)}</td>
                  <td>{p.end ? formatDate(p.end) : "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function Attendance({ detail }: { detail: FamilyDetail }) {
  const { t, lang, formatDate } = useI18n();
  const { info } = useSession();
  const headingId = `attendance-${useId()}`;
  const rows = byMeeting(detail.attendance);
  const nameOf = (member: string) => memberName(detail.household, member) ?? t("families.attendance.mergedMember");
  return (
    <section class="page-section" aria-labelledby={headingId} data-testid="attendance">
      <h2 id={headingId}>{t("families.attendance.title")}</h2>
      <p data-testid="attendance-count">
        {t("families.attendance.summary", { n: rows.length })} · {t("families.attendance.count", { n: detail.attendance.length })}
      </p>
      {rows.length === 0 ? (
        <p class="muted">{t("families.attendance.none")}</p>
      ) : (
        <div class="table-wrap">
          <table class="data-table data-table--compact">
            <thead>
              <tr>
                <th scope="col">{t("families.attendance.date")}</th>
                <th scope="col">{t("families.attendance.activity")}</th>
                {info.labs.length > 1 && <th scope="col">{t("families.page.lab")}</th>}
                <th scope="col">{t("families.attendance.present")}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.meeting}>
                  <th scope="row">{formatDate(r.date)}</th>
                  <td>{activityLabel(info.activity_types, r.activity, lang)}</td>
                  {info.labs.length > 1 && <td>{labName(info.labs, r.lab)}</td>}
                  <td>{r.members.map(nameOf).join(", ")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
