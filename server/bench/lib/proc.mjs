// Child processes of a benchmark run, and what the kernel says about them: CPU seconds from
// /proc/<pid>/stat, resident memory from /proc/<pid>/status.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

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
