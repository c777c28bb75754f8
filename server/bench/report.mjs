// The bench report: the issue's bars evaluated on one run's results, and the printed table.
import { ratio, round } from './lib/stats.mjs';

const fmt = (x, digits = 2) => (x == null ? 'n/a' : typeof x === 'number' ? x.toFixed(digits) : String(x));
const pair = (entry) => Object.values(entry.targets);

/** Each bar of issue 10 that this run measured: what was measured, the limit, and whether it was met. */
export function evaluateBars(report) {
  const bars = [];
  const add = (workload, bar, measured, met) => bars.push({ workload, bar, measured, met });
  const of = (w) => report.results.filter((r) => r.workload === w);
  for (const r of of('W1')) {
    const [p, b] = pair(r);
    const thr = ratio(p.throughputPerS, b.throughputPerS);
    add(
      'W1',
      `throughput >= 0.6x baseline (${r.size} guests)`,
      `${fmt(thr)}x (${fmt(p.throughputPerS, 0)}/s vs ${fmt(b.throughputPerS, 0)}/s)`,
      thr != null && thr >= 0.6,
    );
    // "Server p99": the product's own time for each request (Server-Timing), the client's
    // beside it; a build that does not send the header is judged on the client's.
    const server = p.serverP99Ms != null;
    const p99 = server ? p.serverP99Ms : p.p99Ms;
    add(
      'W1',
      `server p99 <= 2 ms one in flight (${r.size} guests)`,
      server
        ? `${fmt(p.serverP99Ms)} ms (baseline ${fmt(b.serverP99Ms)} ms; as the load generator saw it ${fmt(p.p99Ms)} ms, baseline ${fmt(b.p99Ms)} ms)`
        : `${fmt(p.p99Ms)} ms as the load generator saw it (no Server-Timing from this build)`,
      p99 != null && p99 <= 2,
    );
  }
  for (const r of of('W2')) {
    const [p, b] = pair(r);
    const m = ratio(p.medianMs, b.medianMs);
    add(
      'W2',
      `latency <= 1.5x raw pg (${r.size} guests)`,
      `median ${fmt(m)}x (${fmt(p.medianMs)} vs ${fmt(b.medianMs)} ms), p99 ${fmt(ratio(p.p99Ms, b.p99Ms))}x`,
      m != null && m <= 1.5,
    );
  }
  for (const w of ['W1', 'W2']) {
    const rows = of(w);
    if (rows.length < 2) continue;
    const first = pair(rows[0])[0];
    const last = pair(rows.at(-1))[0];
    const growth = ratio(last.p99Ms, first.p99Ms);
    add(
      'W3',
      `${w} p99 grows <= 25 % from ${rows[0].size} to ${rows.at(-1).size} guests`,
      `${fmt(first.p99Ms)} -> ${fmt(last.p99Ms)} ms (${growth == null ? 'n/a' : `${growth >= 1 ? '+' : ''}${fmt((growth - 1) * 100, 0)} %`})`,
      growth != null && growth <= 1.25,
    );
  }
  for (const r of of('W4')) {
    if (r.warmup) continue;
    const [p, q] = pair(r);
    if (q) {
      const m = ratio(q.medianMs, p.medianMs);
      add(
        'W4',
        'checkout cost constant from 5 to 500 past orders',
        `median ${fmt(p.medianMs)} vs ${fmt(q.medianMs)} ms (${fmt(m)}x); statements: see customers.test.ts`,
        m != null && m <= 1.25,
      );
      continue;
    }
    const sustained = p.achievedPerS != null && p.achievedPerS >= 200 * 0.98 && !p.dropped && !p.errors;
    add(
      'W4',
      '>= 200 orders/s sustained',
      `${fmt(p.achievedPerS, 1)}/s achieved of ${p.targetRatePerS}/s offered (${p.dropped} dropped, ${p.errors} errors)` +
        (p.cpuMsPerOrder
          ? `; machine ${fmt(p.machineBusyPct, 0)} % busy, CPU per order ${fmt(p.cpuMsPerOrder.machine, 1)} ms` +
            ` (product ${fmt(p.cpuMsPerOrder.product, 1)}, PostgreSQL ${fmt(p.cpuMsPerOrder.postgres, 1)}, load generator ${fmt(p.cpuMsPerOrder.loadGenerator, 1)})`
          : '') +
        (p.wal
          ? `; WAL ${fmt(p.wal.bytesPerOrder / 1000, 1)} kB and ${fmt(p.wal.fullPageImagesPerOrder, 1)} full-page images per order, ${p.wal.checkpoints} checkpoint(s) ended` +
            (p.wal.customerHotPct != null ? `; ${fmt(p.wal.customerHotPct, 0)} % of ${p.wal.customerUpdates} guest-row updates HOT` : '')
          : ''),
      sustained,
    );
    add(
      'W4',
      'p99 <= 25 ms at that rate',
      `${fmt(p.p99Ms)} ms (median ${fmt(p.medianMs)} ms${p.warmupSeconds != null ? `; after a ${p.warmupSeconds}-s warm-up at that rate` : ''})` +
        (p.slowest
          ? `; the slowest 1 % (${p.slowest.orders} orders from ${fmt(p.slowest.fromMs, 1)} ms, in ${p.slowest.episodes} episode(s), the longest ${p.slowest.longestEpisodeMs} ms):` +
            ` median ${fmt(p.slowest.medianMs, 1)} ms = sent ${fmt(p.slowest.lateMs, 1)} late + product ${fmt(p.slowest.placeServerMs, 1)} (placeOrder)` +
            ` and ${fmt(p.slowest.checkoutServerMs, 1)} (checkout) + outside its handlers ${fmt(p.slowest.outsideMs, 1)} (medians each)`
          : ''),
      sustained && p.p99Ms <= 25,
    );
  }
  for (const r of of('W5')) {
    const [p, b] = pair(r);
    const limit = r.screens >= 1000 ? 100 : 50;
    if (
      (r.screens === 100 && r.ratePerS >= 25) ||
      (r.screens >= 1000 && r.ratePerS >= 20) ||
      (r.screens !== 100 && r.screens < 1000)
    ) {
      add(
        'W5',
        `${r.screens} screens at ${r.ratePerS}/s: p99 <= ${limit} ms`,
        `${fmt(p.p99Ms)} ms (raw ws ${fmt(b.p99Ms)} ms)`,
        p.p99Ms != null && p.p99Ms <= limit,
      );
      add(
        'W5',
        `${r.screens} screens at ${r.ratePerS}/s: 100 % delivered`,
        `${fmt(p.deliveredPct)} % of ${p.expected}`,
        p.deliveredPct === 100,
      );
    }
    const cpu = ratio(p.fanoutCpuMsPerDelivered, b.cpuMsPerDelivered);
    add(
      'W5',
      `${r.screens} screens: CPU per delivered message <= 2x raw ws`,
      `${fmt(cpu)}x (${fmt(p.fanoutCpuMsPerDelivered, 4)} vs ${fmt(b.cpuMsPerDelivered, 4)} ms; ${fmt(p.cpuMsPerDelivered, 4)} ms with placeOrder; ` +
        `${fmt(ratio(p.fanoutCpuMsPerDeliveredBracketed, b.cpuMsPerDelivered))}x with placeOrder's cost bracketed)`,
      cpu != null && cpu <= 2,
    );
    add(
      'W5',
      `${r.screens} screens: memory per screen <= 50 KB`,
      `${fmt(p.memoryPerScreenKB, 1)} KB of live heap (raw ws ${fmt(b.memoryPerScreenKB, 1)} KB); RSS ${fmt(p.rssPerScreenKB, 1)} KB (raw ws ${fmt(b.rssPerScreenKB, 1)} KB)`,
      p.memoryPerScreenKB != null && p.memoryPerScreenKB <= 50,
    );
  }
  for (const r of of('W6')) {
    const [p, b] = pair(r);
    const thr = ratio(p.throughputPerS, b.throughputPerS);
    add(
      'W6',
      `throughput >= 0.9x graphql-js (${r.openTickets} open tickets)`,
      `${fmt(thr)}x (${fmt(p.throughputPerS, 0)}/s vs ${fmt(b.throughputPerS, 0)}/s); statements: see kitchen.test.ts`,
      thr != null && thr >= 0.9,
    );
  }
  return bars;
}

export function printReport(report) {
  const head = [
    'workload',
    'guests',
    'variant',
    'target',
    'n',
    'median ms',
    'p99 ms',
    'server median',
    'server p99',
    'ops/s',
    'CPU s/1k',
    'RSS MB',
    'loop p99 ms',
  ];
  const rows = [];
  for (const r of report.results) {
    for (const [name, t] of Object.entries(r.targets)) {
      rows.push([
        r.workload,
        String(r.size),
        r.variant,
        name,
        String(t.n),
        fmt(t.medianMs, 3),
        fmt(t.p99Ms, 3),
        t.serverMedianMs == null ? '' : fmt(t.serverMedianMs, 3),
        t.serverP99Ms == null ? '' : fmt(t.serverP99Ms, 3),
        fmt(t.throughputPerS, 0),
        fmt(t.cpuSecPer1kOps, 3),
        fmt(t.rssMB, 0),
        fmt(t.eventLoopP99Ms, 1),
      ]);
    }
    const [p, b] = pair(r);
    const x = (a, c) => (ratio(a, c) == null ? '' : `${fmt(ratio(a, c))}x`);
    if (b)
      rows.push([
        '',
        '',
        '',
        `  ratio ${Object.keys(r.targets)[0]}/${Object.keys(r.targets)[1]}`,
        '',
        x(p.medianMs, b.medianMs),
        x(p.p99Ms, b.p99Ms),
        x(p.serverMedianMs, b.serverMedianMs),
        x(p.serverP99Ms, b.serverP99Ms),
        x(p.throughputPerS, b.throughputPerS),
        x(p.cpuSecPer1kOps, b.cpuSecPer1kOps),
        '',
        '',
      ]);
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i < 4 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(`\n${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const r of rows) console.log(line(r));
  console.log('\nbars');
  for (const b of report.bars)
    console.log(`  ${b.met ? 'met    ' : 'NOT met'}  ${b.workload}  ${b.bar}: ${b.measured}`);
  console.log(
    `\n${report.machine.cpus} CPUs (${report.machine.cpuModel}), load average at the end ${report.machine.loadAvgAtEnd.join(' ')}; ${round(report.durationS / 60, 1)} min`,
  );
}

/** The same table and bars as Markdown (for bench/RESULTS.md). */
export function markdownReport(report) {
  const out = [
    '| workload | guests | variant | target | n | median ms | p99 ms | server median ms | server p99 ms | ops/s | CPU s/1k ops | RSS MB | loop p99 ms |',
    '|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of report.results) {
    const entries = Object.entries(r.targets);
    for (const [name, t] of entries) {
      out.push(`| ${r.workload} | ${r.size.toLocaleString('en')} | ${r.variant} | ${name} | ${t.n} | ${fmt(t.medianMs, 2)} | ${fmt(t.p99Ms, 1)} | ${t.serverMedianMs == null ? '' : fmt(t.serverMedianMs, 2)} | ${t.serverP99Ms == null ? '' : fmt(t.serverP99Ms, 1)} | ${fmt(t.throughputPerS, 0)} | ${fmt(t.cpuSecPer1kOps, 2)} | ${fmt(t.rssMB, 0)} | ${fmt(t.eventLoopP99Ms, 1)} |`);
    }
    if (entries.length === 2) {
      const [[a, p], [b, q]] = entries;
      const x = (u, v) => (ratio(u, v) == null ? '' : `**${fmt(ratio(u, v))}x**`);
      out.push(`| | | | ${a} / ${b} | | ${x(p.medianMs, q.medianMs)} | ${x(p.p99Ms, q.p99Ms)} | ${x(p.serverMedianMs, q.serverMedianMs)} | ${x(p.serverP99Ms, q.serverP99Ms)} | ${x(p.throughputPerS, q.throughputPerS)} | ${x(p.cpuSecPer1kOps, q.cpuSecPer1kOps)} | | |`);
    }
  }
  out.push('', '| | workload | bar | measured |', '|---|---|---|---|');
  for (const b of report.bars) out.push(`| ${b.met ? 'met' : '**not met**'} | ${b.workload} | ${b.bar} | ${b.measured} |`);
  return out.join('\n');
}
