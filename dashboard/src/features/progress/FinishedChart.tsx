import { useTranslation } from "react-i18next";
import { count, dateTime } from "../../lib/format";

const W = 640;
const H = 220;
const PAD = { left: 48, right: 12, top: 12, bottom: 28 };

/** Items finished over time: a small inline SVG step line (no chart library). */
export function FinishedChart({ points }: { points: [number, number][] }) {
  const { t } = useTranslation();
  if (points.length < 1) return <p className="muted">{t("progress.chart.empty")}</p>;
  const [t0] = points[0];
  const t1 = Math.max(points[points.length - 1][0], t0 + 1);
  const max = Math.max(...points.map(([, y]) => y), 1);
  const x = (at: number) => PAD.left + ((at - t0) / (t1 - t0)) * (W - PAD.left - PAD.right);
  const y = (value: number) => H - PAD.bottom - (value / max) * (H - PAD.top - PAD.bottom);
  let path = `M ${x(t0)} ${y(0)}`;
  for (const [at, value] of points) path += ` H ${x(at).toFixed(1)} V ${y(value).toFixed(1)}`;
  const summary = t("progress.chart.summary", { total: count(max), from: dateTime(t0), to: dateTime(t1) });
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary} width="100%" preserveAspectRatio="xMidYMid meet">
        <line x1={PAD.left} y1={H - PAD.bottom} x2={W - PAD.right} y2={H - PAD.bottom} stroke="currentColor" strokeOpacity="0.4" />
        <line x1={PAD.left} y1={PAD.top} x2={PAD.left} y2={H - PAD.bottom} stroke="currentColor" strokeOpacity="0.4" />
        <text x={PAD.left - 6} y={y(max) + 4} textAnchor="end" fontSize="11">{count(max)}</text>
        <text x={PAD.left - 6} y={y(0) + 4} textAnchor="end" fontSize="11">0</text>
        <text x={PAD.left} y={H - 8} fontSize="11">{dateTime(t0)}</text>
        <text x={W - PAD.right} y={H - 8} fontSize="11" textAnchor="end">{dateTime(t1)}</text>
        <path d={path} fill="none" stroke="var(--accent)" strokeWidth="2" />
      </svg>
      <figcaption className="muted">{summary}</figcaption>
    </figure>
  );
}
