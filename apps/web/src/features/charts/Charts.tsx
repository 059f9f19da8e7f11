import { Area, AreaChart, CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { memo, startTransition, useEffect, useMemo, useState } from 'react';
import { formatTime } from '../../components/format';
import { followLive } from '../../stores/live-changes';
import { liveRecords, liveStore } from '../../stores/live-store';
import { useUi } from '../../stores/ui-store';
import { CallSeries, sameBuckets } from './call-series';
import type { SecondBucket } from './series';

const WINDOW_SECONDS = 120;
const REFRESH_MS = 1000;

// Module constants, not inline literals: recharts 3 re-registers an axis, the tooltip or the
// margin in its store (and recomputes the whole chart) whenever such a prop is a new object.
const tick = (t: number) => formatTime(t).slice(0, 8);
const tooltipLabel = (t: unknown) => tick(Number(t));
const MARGIN = { top: 4, right: 8, bottom: 0, left: -20 };
const TOOLTIP_STYLE = { background: 'var(--panel)', border: '1px solid var(--border)' };
const AXIS_STROKE = 'var(--muted)';
const AXIS_FONT = 10;
// Fixed tick intervals: recharts' automatic ones measure every label's text in the DOM on
// each render, which was the largest part of a chart update at high message rates.
const X_TICK_EVERY = 29;

/**
 * The series' last two minutes, re-read every second when its records changed. Each chart
 * reads on its own timer (`offsetMs`): rendering both recharts charts in one update was one
 * of the longest main-thread tasks at high message rates; apart, each is half as long.
 * An unchanged window keeps the previous array, so the chart does not re-render at all.
 */
function useBuckets(series: CallSeries, offsetMs: number): SecondBucket[] {
  const [buckets, setBuckets] = useState<SecondBucket[]>(() => series.snapshot(Date.now(), WINDOW_SECONDS));
  useEffect(() => {
    let seen = -1;
    const refresh = () => {
      if (series.revision === seen) return;
      seen = series.revision;
      const next = series.snapshot(Date.now(), WINDOW_SECONDS);
      // A transition: React renders the chart in slices between the stream's frame updates.
      startTransition(() => setBuckets((prev) => (sameBuckets(prev, next) ? prev : next)));
    };
    let timer: ReturnType<typeof setInterval> | undefined;
    const start = setTimeout(() => {
      refresh();
      timer = setInterval(refresh, REFRESH_MS);
    }, offsetMs);
    return () => {
      clearTimeout(start);
      clearInterval(timer);
    };
  }, [series, offsetMs]);
  return buckets;
}

const RateChart = memo(function RateChart(props: { series: CallSeries }) {
  const buckets = useBuckets(props.series, 0);
  const last10 = buckets.slice(-10);
  const rate = last10.reduce((n, b) => n + b.calls, 0) / Math.max(1, last10.length);
  const errRate = last10.reduce((n, b) => n + b.errors + b.timeouts, 0) / Math.max(1, last10.length);
  return (
    <div className="chart">
      <div className="chart-title">
        calls/s <b data-testid="chart-call-rate">{rate.toFixed(1)}</b> · errors/s{' '}
        <b className={errRate > 0 ? 'error-text' : ''} data-testid="chart-error-rate">
          {errRate.toFixed(1)}
        </b>
      </div>
      <ResponsiveContainer width="100%" height={110}>
        <AreaChart data={buckets} margin={MARGIN}>
          <CartesianGrid stroke="var(--grid)" vertical={false} />
          <XAxis dataKey="t" tickFormatter={tick} stroke={AXIS_STROKE} fontSize={AXIS_FONT} interval={X_TICK_EVERY} />
          <YAxis allowDecimals={false} stroke={AXIS_STROKE} fontSize={AXIS_FONT} interval={0} />
          <Tooltip labelFormatter={tooltipLabel} contentStyle={TOOLTIP_STYLE} />
          <Area type="stepAfter" dataKey="calls" stroke="var(--accent)" fill="var(--accent-soft)" isAnimationActive={false} />
          <Area type="stepAfter" dataKey="errors" stroke="var(--error)" fill="var(--error-soft)" isAnimationActive={false} />
          <Area type="stepAfter" dataKey="timeouts" stroke="var(--warn)" fill="var(--warn-soft)" isAnimationActive={false} />
        </AreaChart>
      </ResponsiveContainer>
    </div>
  );
});

const LatencyChart = memo(function LatencyChart(props: { series: CallSeries }) {
  const buckets = useBuckets(props.series, REFRESH_MS / 2);
  return (
    <div className="chart">
      <div className="chart-title">latency p50 / p95 (ms)</div>
      <ResponsiveContainer width="100%" height={110}>
        <LineChart data={buckets} margin={MARGIN}>
          <CartesianGrid stroke="var(--grid)" vertical={false} />
          <XAxis dataKey="t" tickFormatter={tick} stroke={AXIS_STROKE} fontSize={AXIS_FONT} interval={X_TICK_EVERY} />
          <YAxis stroke={AXIS_STROKE} fontSize={AXIS_FONT} interval={0} />
          <Tooltip labelFormatter={tooltipLabel} contentStyle={TOOLTIP_STYLE} />
          <Line type="monotone" dataKey="p50" stroke="var(--accent)" dot={false} connectNulls isAnimationActive={false} />
          <Line type="monotone" dataKey="p95" stroke="var(--warn)" dot={false} connectNulls isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
});

/** Calls/s, errors/s and latency p50/p95 for the current filter, last two minutes. */
export function Charts() {
  const filter = useUi((s) => s.filter);
  // One series per filter, shared by both charts, following the buffer change by change.
  const series = useMemo(() => new CallSeries(filter), [filter]);
  useEffect(() => followLive(liveStore, liveRecords, series), [series]);
  return (
    <div className="charts" data-testid="charts">
      <RateChart series={series} />
      <LatencyChart series={series} />
    </div>
  );
}
