import { useId, useState } from "preact/hooks";
import { useI18n } from "../i18n";
import { Button } from "./Button";
import "./widgets.css";

/** One bar position on the x axis (a month). */
export interface ChartCategory {
  key: string;
  /** Short, under the axis ("mar 26"). */
  label: string;
  /** Long, in the table and tooltips ("marzo 2026"). */
  long: string;
}

/** One coloured series (a lab). */
export interface ChartSeries {
  key: string;
  label: string;
}

export interface ChartData {
  categories: ChartCategory[];
  series: ChartSeries[];
  /** `values[category][series]`. */
  values: number[][];
}

export type ChartMode = "grouped" | "stacked";

/** Side by side for a few series; stacked when more would make bars too thin. */
export function chooseMode(seriesCount: number): ChartMode {
  return seriesCount <= 3 ? "grouped" : "stacked";
}

/** A round step for the y axis: 1, 2 or 5 × 10^k, with at most 5 steps up to `max`. */
export function niceStep(max: number): number {
  if (!(max > 0)) return 1;
  const rough = max / 5;
  const power = 10 ** Math.floor(Math.log10(rough));
  for (const m of [1, 2, 5, 10]) {
    const step = m * power;
    if (step >= rough) return Math.max(1, step);
  }
  return Math.max(1, 10 * power);
}

/** The y axis: its top and its ticks from 0 (`max` 37 → top 40, ticks 0, 10, 20, 30, 40). */
export function yAxis(max: number): { top: number; ticks: number[] } {
  const step = niceStep(max);
  const top = Math.max(step, Math.ceil(max / step) * step);
  const ticks: number[] = [];
  for (let v = 0; v <= top + step / 2; v += step) ticks.push(v);
  return { top, ticks };
}

/** The highest bar: the largest value (grouped) or category sum (stacked). */
export function highest(data: ChartData, mode: ChartMode): number {
  let max = 0;
  for (const row of data.values) {
    const v = mode === "stacked" ? row.reduce((a, b) => a + b, 0) : Math.max(0, ...row);
    if (v > max) max = v;
  }
  return max;
}

export const CHART = {
  left: 48,
  top: 10,
  plot: 200,
  bottom: 40,
  right: 12,
  /** Narrowest bar when grouped; narrowest stack when stacked. */
  groupedBar: 12,
  stackedBar: 20,
  /** Widest bar and stack, when there are few categories. */
  maxGroupedBar: 28,
  maxStackedBar: 40,
  /** Space between categories. */
  gap: 10,
  /** The plot is at least this wide: a few months get wider bars. */
  minPlotWidth: 800,
} as const;

export interface Bar {
  category: number;
  series: number;
  value: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ChartLayout {
  width: number;
  height: number;
  categoryWidth: number;
  top: number;
  ticks: number[];
  bars: Bar[];
  /** Every how many categories a label is written under the axis. */
  labelEvery: number;
}

/** Where every bar goes, in SVG units (pure: tested without a DOM). */
export function layoutChart(data: ChartData, mode: ChartMode): ChartLayout {
  const n = Math.max(1, data.series.length);
  const narrowest = mode === "grouped" ? n * CHART.groupedBar : CHART.stackedBar;
  const categoryWidth = Math.max(
    28,
    narrowest + CHART.gap,
    Math.floor(CHART.minPlotWidth / Math.max(1, data.categories.length)),
  );
  const barWidth =
    mode === "grouped"
      ? Math.min(CHART.maxGroupedBar, Math.floor((categoryWidth - CHART.gap) / n))
      : Math.min(CHART.maxStackedBar, categoryWidth - CHART.gap);
  const groupWidth = mode === "grouped" ? barWidth * n : barWidth;
  const { top, ticks } = yAxis(highest(data, mode));
  const scale = (v: number) => (v / top) * CHART.plot;
  const base = CHART.top + CHART.plot;
  const bars: Bar[] = [];
  data.values.forEach((row, c) => {
    const x0 = CHART.left + c * categoryWidth + (categoryWidth - groupWidth) / 2;
    let stacked = 0;
    row.forEach((value, s) => {
      if (!(value > 0)) return;
      const height = scale(value);
      if (mode === "grouped") {
        bars.push({ category: c, series: s, value, x: x0 + s * barWidth, y: base - height, width: barWidth - 1, height });
      } else {
        bars.push({ category: c, series: s, value, x: x0, y: base - stacked - height, width: barWidth, height });
        stacked += height;
      }
    });
  });
  return {
    width: CHART.left + data.categories.length * categoryWidth + CHART.right,
    height: CHART.top + CHART.plot + CHART.bottom,
    categoryWidth,
    top,
    ticks,
    bars,
    labelEvery: Math.max(1, Math.ceil(44 / categoryWidth)),
  };
}

export interface BarChartProps {
  data: ChartData;
  /** The caption (also names the figure). */
  title: string;
  /** Header of the table's first column ("Mese"). */
  categoryHeader: string;
  /** Defaults to `chooseMode(series)`. */
  mode?: ChartMode;
  formatValue?: (n: number) => string;
}

/**
 * A bar chart in SVG, with a legend, a tooltip per bar and the same
 * figures as a table behind a "show table" button (the accessible
 * alternative; the SVG itself is one labelled image).
 */
export function BarChart({ data, title, categoryHeader, mode, formatValue }: BarChartProps) {
  const { t, formatNumber } = useI18n();
  const fmt = formatValue ?? formatNumber;
  const [showTable, setShowTable] = useState(false);
  const id = useId();
  const captionId = `chart-${id}-caption`;
  const tableId = `chart-${id}-table`;
  const chosen = mode ?? chooseMode(data.series.length);
  const layout = layoutChart(data, chosen);
  const first = data.categories[0];
  const last = data.categories[data.categories.length - 1];
  const empty = highest(data, chosen) === 0;
  const base = CHART.top + CHART.plot;
  const withTotal = data.series.length > 1;

  const summary =
    first && last
      ? t("widgets.chart.summary", {
          title,
          from: first.long,
          to: last.long,
          max: fmt(highest(data, "grouped")),
        })
      : title;

  return (
    <figure class="chart" aria-labelledby={captionId}>
      <figcaption id={captionId} class="chart__caption">
        {title}
      </figcaption>
      {empty || !first ? (
        <p class="chart__empty">{t("widgets.chart.empty")}</p>
      ) : (
        <>
          <div class="chart__scroll" tabIndex={0} role="region" aria-label={t("widgets.chart.scrollRegion", { title })}>
            <svg
              width={layout.width}
              height={layout.height}
              viewBox={`0 0 ${layout.width} ${layout.height}`}
              role="img"
              aria-label={summary}
            >
              {layout.ticks.map((v) => {
                const y = base - (v / layout.top) * CHART.plot;
                return (
                  <g key={`t${v}`}>
                    <line class={v === 0 ? "chart__axis" : "chart__grid"} x1={CHART.left} x2={layout.width - CHART.right} y1={y} y2={y} />
                    <text class="chart__tick" x={CHART.left - 6} y={y + 4} text-anchor="end">
                      {fmt(v)}
                    </text>
                  </g>
                );
              })}
              {layout.bars.map((b) => (
                <rect
                  key={`b${b.category}-${b.series}`}
                  class={`chart__s${b.series % 10}`}
                  x={b.x.toFixed(1)}
                  y={b.y.toFixed(1)}
                  width={b.width}
                  height={b.height.toFixed(1)}
                  data-value={b.value}
                >
                  <title>
                    {`${data.categories[b.category]?.long ?? ""} · ${data.series[b.series]?.label ?? ""}: ${fmt(b.value)}`}
                  </title>
                </rect>
              ))}
              {data.categories.map((c, i) =>
                i % layout.labelEvery === 0 ? (
                  <text
                    key={`l${c.key}`}
                    class="chart__tick"
                    x={CHART.left + i * layout.categoryWidth + layout.categoryWidth / 2}
                    y={base + 16}
                    text-anchor="middle"
                  >
                    {c.label}
                  </text>
                ) : null,
              )}
            </svg>
          </div>
          {data.series.length > 0 && (
            <ul class="chart__legend" aria-label={t("widgets.chart.legend")}>
              {data.series.map((s, i) => (
                <li key={s.key}>
                  <span class={`chart__swatch chart__s${i % 10}`} aria-hidden="true" />
                  {s.label}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      {first && (
        <Button variant="quiet" aria-expanded={showTable ? "true" : "false"} aria-controls={tableId} onClick={() => setShowTable((v) => !v)}>
          {showTable ? t("widgets.chart.hideTable") : t("widgets.chart.showTable")}
        </Button>
      )}
      <div id={tableId} class="table-wrap" hidden={!showTable}>
        {showTable && (
          <table class="data-table data-table--compact">
            <caption class="visually-hidden">{title}</caption>
            <thead>
              <tr>
                <th scope="col">{categoryHeader}</th>
                {data.series.map((s) => (
                  <th key={s.key} scope="col" class="num">
                    {s.label}
                  </th>
                ))}
                {withTotal && (
                  <th scope="col" class="num">
                    {t("widgets.chart.total")}
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {data.categories.map((c, i) => {
                const row = data.values[i] ?? [];
                return (
                  <tr key={c.key}>
                    <th scope="row">{c.long}</th>
                    {data.series.map((s, j) => (
                      <td key={s.key} class="num">
                        {fmt(row[j] ?? 0)}
                      </td>
                    ))}
                    {withTotal && <td class="num">{fmt(row.reduce((a, b) => a + b, 0))}</td>}
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </div>
    </figure>
  );
}
