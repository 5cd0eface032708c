/**
 * Small SVG charts, drawn by hand (a chart library would outweigh the whole console). Each has a
 * text summary for screen readers and for reading exact figures.
 */
const WIDTH = 300;
const HEIGHT = 60;

const round = (value: number) => (value >= 10 ? Math.round(value).toString() : value.toFixed(1));

export function Sparkline({
  label,
  unit,
  values,
  slots,
}: {
  label: string;
  unit: string;
  values: number[];
  slots: number;
}) {
  const peak = Math.max(1, ...values);
  const step = WIDTH / Math.max(1, slots - 1);
  const offset = slots - values.length;
  const points = values
    .map(
      (value, index) =>
        `${((offset + index) * step).toFixed(1)},${(HEIGHT - (value / peak) * (HEIGHT - 4)).toFixed(1)}`,
    )
    .join(' ');
  const now = values.at(-1) ?? 0;
  const summary = `${label}: now ${round(now)} ${unit}, peak ${round(Math.max(0, ...values))} ${unit} over the last ${slots} s`;
  return (
    <figure class="chart">
      <figcaption>
        {label} <strong>{round(now)}</strong> {unit}
      </figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} preserveAspectRatio="none" role="img" aria-label={summary}>
        <line x1="0" y1={HEIGHT - 0.5} x2={WIDTH} y2={HEIGHT - 0.5} class="axis" />
        {values.length > 1 && <polyline points={points} class="line" />}
      </svg>
    </figure>
  );
}

export interface Bar {
  label: string;
  parts: { name: string; value: number }[];
}

/** Stacked bars, one per slot (a minute), parts in the order of `legend`. */
export function StackedBars({
  label,
  legend,
  bars,
  slots,
}: {
  label: string;
  legend: string[];
  bars: Bar[];
  slots: number;
}) {
  const peak = Math.max(1, ...bars.map((bar) => bar.parts.reduce((sum, part) => sum + part.value, 0)));
  const width = WIDTH / slots;
  const offset = slots - bars.length;
  const last = bars.at(-1);
  const summary = last
    ? `${label}, this minute: ${last.parts.map((part) => `${part.value} ${part.name}`).join(', ')}`
    : `${label}: no data yet`;
  return (
    <figure class="chart">
      <figcaption>
        {label}
        <span class="legend">
          {legend.map((name, index) => (
            <span key={name} class={`key k${index}`}>
              {name} {last?.parts[index]?.value ?? 0}
            </span>
          ))}
        </span>
      </figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} preserveAspectRatio="none" role="img" aria-label={summary}>
        <line x1="0" y1={HEIGHT - 0.5} x2={WIDTH} y2={HEIGHT - 0.5} class="axis" />
        {bars.map((bar, index) => {
          let top = HEIGHT;
          return bar.parts.map((part, partIndex) => {
            const height = (part.value / peak) * (HEIGHT - 4);
            top -= height;
            return (
              <rect
                key={`${bar.label}-${part.name}`}
                x={(offset + index) * width + 1}
                y={top}
                width={Math.max(1, width - 2)}
                height={height}
                class={`k${partIndex}`}
              />
            );
          });
        })}
      </svg>
    </figure>
  );
}
