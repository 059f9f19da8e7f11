import { Area, AreaChart, CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useEffect, useState } from 'react';
import { formatTime } from '../../components/format';
import { matchingRecords } from '../../stores/selectors';
import { useUi } from '../../stores/ui-store';
import { useThrottledLive } from '../../stores/use-throttled';
import { bucketPerSecond, type SecondBucket } from './series';

const WINDOW_SECONDS = 120;
const tick = (t: number) => formatTime(t).slice(0, 8);
const axis = { stroke: 'var(--muted)', fontSize: 10 };
// Fixed tick intervals: recharts' automatic ones measure every label's text in the DOM on
// each render, which was the largest part of a chart update at high message rates.
const X_TICK_EVERY = 29;

/**
 * The last two minutes of per-second buckets, recomputed every second. Each chart keeps its
 * own copy with its own timer (`offsetMs`): rendering both recharts charts in one update was
 * one of the longest main-thread tasks at high message rates; apart, each is half as long.
 */
function useBuckets(offsetMs: number): SecondBucket[] {
  const filter = useUi((s) => s.filter);
  const [started, setStarted] = useState(offsetMs === 0);
  useEffect(() => {
    if (started) return undefined;
    const t = setTimeout(() => setStarted(true), offsetMs);
    return () => clearTimeout(t);
  }, [started, offsetMs]);
  return useThrottledLive(
    (live) => bucketPerSecond(matchingRecords(live, filter), Date.now(), WINDOW_SECONDS),
    1000,
    [filter, started],
  );
}

function RateChart() {
  const buckets = useBuckets(0);
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
        <AreaChart data={buckets} margin={{ top: 4, right: 8, bottom: 0, left: -20 }}>
          <CartesianGrid stroke="var(--grid)" vertical={false} />
          <XAxis dataKey="t" tickFormatter={tick} {...axis} interval={X_TICK_EVERY} />
          <YAxis allowDecimals={false} {...axis} interval={0} />
          <Tooltip labelFormatter={(t) => tick(Number(t))} contentStyle={{ background: 'var(--panel)', border: '1px solid var(--border)' }} />
          <Area type="stepAfter" dataKey="calls" stroke="var(--accent)" fill="var(--accent-soft)" isAnimationActive={false} />
          <Area type="stepAfter" dataKey="errors" stroke="var(--error)" fill="var(--error-soft)" isAnimationActive={false} />
          <Area type="stepAfter" dataKey="timeouts" stroke="var(--warn)" fill="var(--warn-soft)" isAnimationActive={false} />
        </AreaChart>
      </ResponsiveContainer>
    </div>
  );
}

function LatencyChart() {
  const buckets = useBuckets(500);
  return (
    <div className="chart">
      <div className="chart-title">latency p50 / p95 (ms)</div>
      <ResponsiveContainer width="100%" height={110}>
        <LineChart data={buckets} margin={{ top: 4, right: 8, bottom: 0, left: -20 }}>
          <CartesianGrid stroke="var(--grid)" vertical={false} />
          <XAxis dataKey="t" tickFormatter={tick} {...axis} interval={X_TICK_EVERY} />
          <YAxis {...axis} interval={0} />
          <Tooltip labelFormatter={(t) => tick(Number(t))} contentStyle={{ background: 'var(--panel)', border: '1px solid var(--border)' }} />
          <Line type="monotone" dataKey="p50" stroke="var(--accent)" dot={false} connectNulls isAnimationActive={false} />
          <Line type="monotone" dataKey="p95" stroke="var(--warn)" dot={false} connectNulls isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}

/** Calls/s, errors/s and latency p50/p95 for the current filter, last two minutes. */
export function Charts() {
  return (
    <div className="charts" data-testid="charts">
      <RateChart />
      <LatencyChart />
    </div>
  );
}
