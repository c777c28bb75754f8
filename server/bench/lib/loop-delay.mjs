// For baselines: event-loop delay p99 since the last read, served on GET /__stats, in the same
// spirit as prom-client's nodejs_eventloop_lag_p99_seconds (which resets on every scrape).
import { monitorEventLoopDelay } from 'node:perf_hooks';

export function loopDelayMonitor() {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  return {
    /** p99 in ms since the previous call, then resets. */
    read() {
      const p99 = h.count ? h.percentile(99) / 1e6 : null;
      h.reset();
      return p99;
    },
  };
}

/** Answers GET /__stats with the loop delay; returns true when it handled the request. */
export function serveStats(req, res, monitor) {
  if (req.method !== 'GET' || req.url !== '/__stats') return false;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ eventLoopDelayP99Ms: monitor.read() }));
  return true;
}
