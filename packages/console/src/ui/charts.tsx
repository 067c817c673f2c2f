// Small hand-made SVG charts. Each is an image with a text summary for assistive technology
// and the same figures as a table (visually hidden), so nothing is conveyed by the drawing alone.
import { useId } from 'react';
import { formatNumber, t } from '../i18n/index.ts';

export interface Point {
  label: string;
  value: number;
}

const W = 640;
const H = 200;
const PAD = { l: 48, r: 8, t: 8, b: 28 };

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

export function BarChart(props: {
  title: string;
  points: Point[];
  unit?: string;
  /** a horizontal reference line (e.g. the SLA target), same unit as the values */
  target?: number;
  min?: number;
}) {
  const id = useId();
  const pts = props.points;
  if (pts.length === 0) return <p className="muted">{t('chart.noData')}</p>;
  const lo = props.min ?? 0;
  const hi = Math.max(
    niceMax(Math.max(...pts.map((p) => p.value), props.target ?? 0) - lo) + lo,
    lo + 1,
  );
  const iw = W - PAD.l - PAD.r;
  const ih = H - PAD.t - PAD.b;
  const bw = iw / pts.length;
  const y = (v: number) => PAD.t + ih - ((Math.max(v, lo) - lo) / (hi - lo)) * ih;
  const every = Math.ceil(pts.length / 12);
  const unit = props.unit ?? '';
  return (
    <figure className="chart">
      <figcaption id={`${id}-cap`}>{props.title}</figcaption>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-labelledby={`${id}-cap`}
        preserveAspectRatio="none"
      >
        <line x1={PAD.l} x2={W - PAD.r} y1={y(lo)} y2={y(lo)} className="axis" />
        <text x={PAD.l - 6} y={y(hi) + 10} textAnchor="end" className="tick">
          {formatNumber(hi)}
          {unit}
        </text>
        <text x={PAD.l - 6} y={y(lo)} textAnchor="end" className="tick">
          {formatNumber(lo)}
          {unit}
        </text>
        {pts.map((p, i) => (
          <g key={p.label}>
            <rect
              x={PAD.l + i * bw + bw * 0.1}
              y={y(p.value)}
              width={bw * 0.8}
              height={Math.max(y(lo) - y(p.value), 0)}
              className="bar"
            >
              <title>{`${p.label}: ${formatNumber(p.value)}${unit}`}</title>
            </rect>
            {i % every === 0 ? (
              <text x={PAD.l + i * bw + bw / 2} y={H - 8} textAnchor="middle" className="tick">
                {p.label}
              </text>
            ) : null}
          </g>
        ))}
        {props.target !== undefined ? (
          <line
            x1={PAD.l}
            x2={W - PAD.r}
            y1={y(props.target)}
            y2={y(props.target)}
            className="target"
          />
        ) : null}
      </svg>
      <table className="sr-only">
        <caption>{props.title}</caption>
        <tbody>
          {pts.map((p) => (
            <tr key={p.label}>
              <th scope="row">{p.label}</th>
              <td>
                {formatNumber(p.value)}
                {unit}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

export interface Span {
  /** state name shown in the legend and summary */
  label: string;
  /** CSS class suffix choosing the colour (e.g. active, suspended, released) */
  kind: string;
  from: number;
  to: number;
  /** text of the span for the summary (e.g. "active from 1 May to 3 May") */
  text: string;
}

/** A horizontal timeline of consecutive states (e.g. an instance's lifecycle). */
export function Timeline(props: { title: string; spans: Span[] }) {
  const id = useId();
  const s = props.spans;
  if (s.length === 0) return <p className="muted">{t('chart.noData')}</p>;
  const lo = Math.min(...s.map((x) => x.from));
  const hi = Math.max(...s.map((x) => x.to), lo + 1);
  const x = (v: number) => ((v - lo) / (hi - lo)) * W;
  return (
    <figure className="chart">
      <figcaption id={`${id}-cap`}>{props.title}</figcaption>
      <svg
        viewBox={`0 0 ${W} 40`}
        role="img"
        aria-labelledby={`${id}-cap`}
        preserveAspectRatio="none"
      >
        {s.map((sp, i) => (
          <rect
            key={i}
            x={x(sp.from)}
            y={4}
            width={Math.max(x(sp.to) - x(sp.from), 2)}
            height={32}
            className={`span span-${sp.kind}`}
          >
            <title>{sp.text}</title>
          </rect>
        ))}
      </svg>
      <ol className="timeline-legend">
        {s.map((sp, i) => (
          <li key={i}>
            <span className={`swatch span-${sp.kind}`} aria-hidden="true" /> {sp.text}
          </li>
        ))}
      </ol>
    </figure>
  );
}
