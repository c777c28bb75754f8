// Child processes of a benchmark run, and what the kernel says about them: CPU seconds from
// /proc/<pid>/stat, resident memory from /proc/<pid>/status.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ; 100 on Linux everywhere that matters). */
const TICKS = 100;

/**
 * Starts `node <args>` and resolves once it prints a line with "ready" and its URL.
 * Rejects when the process exits first or takes longer than `timeoutMs`.
 */
export function startProcess(name, args, env, { cwd, timeoutMs = 60_000, log = () => undefined } = {}) {
  const child = spawn(process.execPath, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const onData = (d) => {
    out += d;
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', (d) => {
    onData(d);
    log(`[${name}] ${String(d).trimEnd()}`);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name}: no ready line within ${timeoutMs / 1000} s\n${out.slice(-2000)}`)),
      timeoutMs,
    );
    child.stdout.on('data', () => {
      const m = /ready\S*\s.*?(https?:\/\/[\w.:[\]]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ name, child, pid: child.pid, url: m[1], output: () => out });
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code ?? signal}) before it was ready\n${out.slice(-2000)}`));
    });
  });
}

/** Stops a started process: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopProcess(proc, graceMs = 10_000) {
  const { child } = proc;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** User + system CPU seconds the process has used so far. */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); utime and stime are fields 14 and 15.
  return (Number(rest[11]) + Number(rest[12])) / TICKS;
}

/** Resident set size in bytes. */
export function rssBytes(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(status);
  return m ? Number(m[1]) * 1024 : NaN;
}

/** CPU seconds the whole machine has been busy and in all (every core), from /proc/stat. */
export function machineCpuSeconds() {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal ...; idle and iowait are not busy.
  const total = cpu.slice(0, 8).reduce((s, x) => s + x, 0);
  return { busy: (total - cpu[3] - cpu[4]) / TICKS, total: total / TICKS };
}

/** CPU seconds used so far by every process whose command is `comm` (e.g. the PostgreSQL backends), by pid. */
export function cpuSecondsOf(comm) {
  const byPid = new Map();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) !== comm) continue;
      byPid.set(pid, cpuSeconds(pid));
    } catch {
      // the process ended meanwhile
    }
  }
  return byPid;
}

/** CPU seconds the processes of `comm` used between two cpuSecondsOf readings (processes that ended in between are not counted). */
export function cpuSecondsBetween(before, after) {
  let s = 0;
  for (const [pid, t] of after) s += t - (before.get(pid) ?? 0);
  return s;
}

/** Node flags that make a process write a heap snapshot into `dir` on SIGUSR2 (see liveHeapBytes). */
export const heapSnapshotArgs = (dir) => ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${dir}`];

/**
 * The live heap of a process started with heapSnapshotArgs: it writes a heap snapshot (after a
 * full collection) on SIGUSR2, and the sum of its objects' sizes is what survives, whatever the
 * collector's timing. RSS moves with V8's heap sizing and says little about a few kilobytes per screen.
 */
export async function liveHeapBytes(proc, dir) {
  const before = new Set(readdirSync(dir));
  proc.child.kill('SIGUSR2');
  for (let waited = 0; waited < 120_000; waited += 250) {
    await new Promise((r) => setTimeout(r, 250));
    const file = readdirSync(dir).find((f) => f.endsWith('.heapsnapshot') && !before.has(f) && f.includes(`.${proc.pid}.`));
    if (!file) continue;
    const path = join(dir, file);
    const size = statSync(path).size;
    await new Promise((r) => setTimeout(r, 500));
    if (statSync(path).size !== size) continue;
    try {
      const snap = JSON.parse(readFileSync(path, 'utf8'));
      const fields = snap.snapshot.meta.node_fields;
      const at = fields.indexOf('self_size');
      let total = 0;
      for (let i = at; i < snap.nodes.length; i += fields.length) total += snap.nodes[i];
      rmSync(path);
      return total;
    } catch {
      // still being written
    }
  }
  throw new Error(`${proc.name} wrote no heap snapshot within 2 minutes`);
}
