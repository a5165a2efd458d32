export interface Bar {
  /** A stable key. */
  id: string;
  label: string;
  /** The number the bar's length shows (counts, minor units, seconds…). */
  value: number;
  /** The value as people read it, e.g. "€12.50" or "4 cases". */
  valueText: string;
}

export interface BarChartProps {
  /** What the chart shows, e.g. "Open cases by status"; starts its spoken summary. */
  title: string;
  bars: Bar[];
  /** Shown (and spoken) instead of the bars when every value is zero or there are none. */
  emptyText?: string;
}

/** The spoken summary of a chart: "Open cases by status: Open 4, In progress 2." */
export function chartSummary(title: string, bars: Bar[]): string {
  if (bars.length === 0) return `${title}: no data.`;
  return `${title}: ${bars.map((b) => `${b.label} ${b.valueText}`).join(', ')}.`;
}

/**
 * A small horizontal bar chart: one row per bar (label, bar, value). It is one image to
 * assistive technology, named by a summary of every value; pair it with a table of the same
 * data. The bars are SVG sized by attribute (the CSP allows no inline styles), coloured by CSS.
 */
export function BarChart({ title, bars, emptyText = 'Nothing to show for this period.' }: BarChartProps) {
  const max = Math.max(0, ...bars.map((b) => b.value));
  if (bars.length === 0 || max === 0) {
    return (
      <p className="bar-chart bar-chart--empty muted" role="img" aria-label={`${title}: ${emptyText}`}>
        {emptyText}
      </p>
    );
  }
  return (
    <div className="bar-chart" role="img" aria-label={chartSummary(title, bars)}>
      {bars.map((bar) => {
        // At least a sliver for a non-zero value, so it does not look like zero.
        const percent = bar.value <= 0 ? 0 : Math.max(1.5, (bar.value / max) * 100);
        return (
          <div key={bar.id} className="bar-chart__row" aria-hidden="true">
            <span className="bar-chart__label">{bar.label}</span>
            <svg className="bar-chart__track" width="100%" height="20" focusable="false">
              <rect className="bar-chart__bar" x="0" y="0" height="20" rx="3" width={`${percent.toFixed(2)}%`} />
            </svg>
            <span className="bar-chart__value">{bar.valueText}</span>
          </div>
        );
      })}
    </div>
  );
}
