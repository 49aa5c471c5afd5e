import { Fragment } from "preact";
import { useId, useMemo, useState } from "preact/hooks";
import { useSession } from "../app/session";
import type { Counts, Indicators as IndicatorsData } from "../bindings";
import { BarChart } from "../components/BarChart";
import { activityLabel } from "../components/labels";
import { ProgressBar, percent } from "../components/ProgressBar";
import {
  SelectionPicker,
  defaultSelection,
  labTitle,
  type SelectionValue,
} from "../components/SelectionPicker";
import { Spinner } from "../components/Spinner";
import "../components/widgets.css";
import { monthNames, useI18n } from "../i18n";
import {
  TOTAL_FIGURES,
  activitiesIn,
  meetingsOf,
  monthlyAttendance,
  targetRows,
  trainingHours,
  type MonthLabels,
} from "./indicators/data";
import { useIndicators } from "./indicators/useIndicators";

/**
 * Indicatori: the grant's figures for a period and a lab (or all): the four
 * targets, the totals, and monthly attendance per lab as a chart with a
 * table alternative.
 */
export function Indicators() {
  const { t, formatDate } = useI18n();
  const { info } = useSession();
  const [selection, setSelection] = useState<SelectionValue>(() => defaultSelection(info.today));
  const { data, loading } = useIndicators(selection);

  return (
    <div data-testid="screen-indicators">
      <h1>{t("sections.indicators")}</h1>
      <p class="lede">{t("indicators.lede")}</p>
      <SelectionPicker value={selection} onChange={setSelection} labs={info.labs} today={info.today} labMode="single" />
      <p role="status" class="muted" data-testid="indicators-status">
        {loading
          ? t("indicators.computing")
          : data
            ? t("indicators.periodShown", { from: formatDate(data.period.from), to: formatDate(data.period.to) })
            : ""}
      </p>
      {!data && loading && <Spinner />}
      {data && (
        <div aria-busy={loading ? "true" : "false"}>
          <Targets data={data} />
          <Totals data={data} />
          <Chart data={data} />
        </div>
      )}
    </div>
  );
}

function Targets({ data }: { data: IndicatorsData }) {
  const { t, formatNumber } = useI18n();
  const headingId = `targets-${useId()}`;
  return (
    <section class="page-section" aria-labelledby={headingId}>
      <h2 id={headingId}>{t("indicators.targets.title")}</h2>
      <ul class="targets">
        {targetRows(data).map((row) => {
          const label = t(`indicators.targets.${row.goal}`);
          const text = t("indicators.targets.valuePercent", {
            value: formatNumber(row.value),
            target: formatNumber(row.target),
            percent: percent(row.value, row.target),
          });
          return (
            <li class="target" key={row.goal} data-testid={`target-${row.goal}`}>
              <p class="target__label">{label}</p>
              <p class="target__value" aria-hidden="true">
                {formatNumber(row.value)} <span class="target__of">/ {formatNumber(row.target)}</span>
              </p>
              <ProgressBar value={row.value} max={row.target} label={label} valueText={text} />
            </li>
          );
        })}
      </ul>
      <p class="muted">{t("indicators.targets.note")}</p>
    </section>
  );
}

function Totals({ data }: { data: IndicatorsData }) {
  const { t, lang, formatNumber } = useI18n();
  const { info } = useSession();
  const headingId = `totals-${useId()}`;
  const perLab = data.labs.length > 1 ? data.labs : [];
  const columns: Counts[] = [data.total, ...perLab.map((l) => l.total)];
  const activities = activitiesIn(
    data.total,
    info.activity_types.map((a) => a.key),
  );
  const cells = (f: (c: Counts) => number) =>
    columns.map((c, i) => (
      <td key={i} class="num">
        {formatNumber(f(c))}
      </td>
    ));
  return (
    <section class="page-section" aria-labelledby={headingId}>
      <h2 id={headingId}>{t("indicators.totals.title")}</h2>
      <div class="table-wrap">
        <table class="data-table" data-testid="indicators-totals">
          <thead>
            <tr>
              <th scope="col">{t("indicators.totals.figure")}</th>
              <th scope="col" class="num">
                {t("indicators.totals.total")}
              </th>
              {perLab.map((l) => (
                <th scope="col" class="num" key={l.lab.id}>
                  {labTitle(l.lab)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {TOTAL_FIGURES.map((figure) => (
              <Fragment key={figure}>
                <tr data-figure={figure} class={figure === "minors_reached" ? "sub" : undefined}>
                  <th scope="row">{t(`indicators.totals.rows.${figure}`)}</th>
                  {cells((c) => c[figure])}
                </tr>
                {figure === "meetings" &&
                  activities.map((a) => (
                    <tr key={`a-${a}`} class="sub" data-figure={`meetings:${a}`}>
                      <th scope="row">{activityLabel(info.activity_types, a, lang)}</th>
                      {cells((c) => meetingsOf(c, a))}
                    </tr>
                  ))}
              </Fragment>
            ))}
            <tr data-figure="training_hours">
              <th scope="row">{t("indicators.totals.rows.training_hours")}</th>
              {cells(trainingHours)}
            </tr>
          </tbody>
        </table>
      </div>
      {perLab.length > 0 && <p class="muted">{t("indicators.totals.labsNote")}</p>}
    </section>
  );
}

function Chart({ data }: { data: IndicatorsData }) {
  const { t, lang } = useI18n();
  const headingId = `chart-${useId()}`;
  const chart = useMemo(() => {
    const short = monthNames(lang, "short");
    const long = monthNames(lang, "long");
    const labels: MonthLabels = {
      short: (m) => `${short[m.month - 1] ?? m.month} ${String(m.year).slice(-2)}`,
      long: (m) => `${long[m.month - 1] ?? m.month} ${m.year}`,
    };
    return monthlyAttendance(data, labels);
  }, [data, lang]);
  return (
    <section class="page-section" aria-labelledby={headingId}>
      <h2 id={headingId}>{t("indicators.chart.heading")}</h2>
      <BarChart data={chart} title={t("indicators.chart.title")} categoryHeader={t("indicators.chart.month")} />
    </section>
  );
}
