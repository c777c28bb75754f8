import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SERVER_NODE_FLAGS } from '../../src/node-flags.js';

export const SERVER_MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export interface ServerProcess {
  child: ChildProcess;
  /** Resolves with the ready line ("... ready at http://..."); rejects if the process exits first. */
  ready: Promise<string>;
  exited: Promise<number | null>;
  output(): string;
}

const children = new Set<ChildProcess>();
/** Kills every server this test file started; call from afterAll. */
export function killServerProcesses(): void {
  for (const c of children) c.kill('SIGKILL');
  children.clear();
}

/** Runs the built server (`server/dist/main.js <command>`, with the Node options it ships with) as a real process with only the given environment. */
export function startServerProcess(env: Record<string, string>, command = 'serve', readyTimeoutMs = 90_000): ServerProcess {
  if (!existsSync(SERVER_MAIN)) throw new Error('server/dist is missing: run `pnpm -F @pos/server build` (the test command does)');
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, SERVER_MAIN, command], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line within ${readyTimeoutMs / 1000} s:\n${out}`)), readyTimeoutMs);
    child.stdout!.on('data', () => {
      const line = out.split('\n').find((l) => /ready/.test(l) && /http:\/\//.test(l));
      if (line) {
        clearTimeout(timer);
        resolve(line);
      }
    });
    child.on('exit', () => {
      clearTimeout(timer);
      reject(new Error(`exited before ready:\n${out}`));
    });
  });
  return { child, ready, exited, output: () => out };
}
