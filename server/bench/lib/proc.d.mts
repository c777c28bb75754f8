// Types of proc.mjs for the TypeScript that shares it (the faults suite's soak test).
import type { ChildProcess } from 'node:child_process';

export interface BenchProcess {
  name: string;
  child: ChildProcess;
  pid: number | undefined;
}

export function startProcess(
  name: string,
  args: string[],
  env: Record<string, string>,
  opts?: { cwd?: string; timeoutMs?: number; log?: (line: string) => void },
): Promise<BenchProcess & { url: string; output(): string }>;
export function stopProcess(proc: BenchProcess, graceMs?: number): Promise<void>;
export function cpuSeconds(pid: number | undefined): number;
export function rssBytes(pid: number | undefined): number;
export function machineCpuSeconds(): { busy: number; total: number };
export function cpuSecondsOf(comm: string): Map<string, number>;
export function cpuSecondsBetween(before: Map<string, number>, after: Map<string, number>): number;
export function heapSnapshotArgs(dir: string): string[];
export function liveHeapBytes(proc: BenchProcess, dir: string): Promise<number>;
