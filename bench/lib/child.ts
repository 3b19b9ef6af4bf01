// Child processes for the benchmark: servers and load generators run apart from the process
// that measures, talk to it over Node's IPC channel (a tiny request/answer protocol), and can be
// pinned to one CPU with taskset.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

interface Envelope {
  id?: number;
  type?: string;
  payload?: unknown;
  result?: unknown;
  error?: string;
}

let tasksetAvailable: boolean | undefined;

/** True when `taskset` can pin a process here (util-linux). */
export function canPin(): boolean {
  tasksetAvailable ??= spawnSync('taskset', ['-c', '0', 'true']).status === 0;
  return tasksetAvailable;
}

/**
 * The CPUs of a two-sided measurement: the server side (servers, signing loops) on CPU 0 and the
 * client side (load generator, the agent) on CPU 1, so neither migrates onto the other's core (on
 * this VM a process woken on the other vCPU runs its next steps on cold caches). One CPU: both on it.
 */
export function cpuSets(): { server: string; load: string } {
  return cpus().length >= 2 ? { server: '0', load: '1' } : { server: '0', load: '0' };
}

export interface ChildOptions {
  /** Run on these CPUs only (`taskset -c <cpus>`), when taskset is available. */
  cpus?: string;
  /** Extra node flags (e.g. --expose-gc, --cpu-prof). */
  execArgv?: string[];
  /** Arguments after the script (the child reads JSON from argv[2]). */
  args?: string[];
}

/**
 * Flags every child gets: BENCH_CPU_PROF=<dir> profiles each child with --cpu-prof, sampling
 * every BENCH_CPU_PROF_INTERVAL µs (V8's default, 1,000, leaves about one sample per sign-in).
 */
function profileFlags(): string[] {
  const dir = process.env['BENCH_CPU_PROF'];
  if (dir === undefined || dir === '') return [];
  const interval = process.env['BENCH_CPU_PROF_INTERVAL'];
  return ['--cpu-prof', `--cpu-prof-dir=${dir}`, ...(interval === undefined || interval === '' ? [] : [`--cpu-prof-interval=${interval}`])];
}

/** A child process speaking the request/answer protocol of `serveChild`. */
export class Child {
  readonly process: ChildProcess;
  readonly pinned: boolean;
  #next = 1;
  readonly #waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly #exited: Promise<number | null>;
  #stderr = '';

  constructor(script: string, options: ChildOptions = {}) {
    const file = fileURLToPath(new URL(`../children/${script}.js`, import.meta.url));
    const nodeArgs = [...profileFlags(), ...(options.execArgv ?? []), file, ...(options.args ?? [])];
    this.pinned = options.cpus !== undefined && canPin();
    const [command, args] = this.pinned ? ['taskset', ['-c', options.cpus!, process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
    this.process = spawn(command, args, { stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
    this.process.stderr?.on('data', (d: Buffer) => {
      this.#stderr = (this.#stderr + d.toString()).slice(-4000);
      process.stderr.write(d);
    });
    this.process.on('message', (m: Envelope) => {
      if (m.id === undefined) return;
      const w = this.#waiting.get(m.id);
      if (!w) return;
      this.#waiting.delete(m.id);
      if (m.error !== undefined) w.reject(new Error(`${script}: ${m.error}`));
      else w.resolve(m.result);
    });
    this.#exited = new Promise((resolve) => {
      this.process.on('exit', (code) => {
        for (const w of this.#waiting.values()) w.reject(new Error(`${script} exited (${code}) before answering; stderr: ${this.#stderr}`));
        this.#waiting.clear();
        resolve(code);
      });
    });
  }

  call<T>(type: string, payload: unknown = {}): Promise<T> {
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.process.send({ id, type, payload } satisfies Envelope, (e) => {
        if (e) {
          this.#waiting.delete(id);
          reject(e);
        }
      });
    });
  }

  /** Asks the child to stop (its `close` handler), then waits for it to exit (killed after `ms`). */
  async stop(ms = 10_000): Promise<void> {
    if (this.process.exitCode !== null) return;
    const timer = setTimeout(() => this.process.kill('SIGKILL'), ms);
    try {
      await this.call('close').catch(() => {});
      this.process.disconnect?.();
      await this.#exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * In a child: answers the parent's calls with `handlers`. `close` (if given) runs on the parent's
 * `close` call, after which the IPC channel is let go so the process can exit.
 */
export function serveChild(handlers: Record<string, (payload: never) => unknown>): void {
  let closing = false;
  // The parent went away without asking us to close (it crashed or was killed): do not linger.
  process.on('disconnect', () => {
    if (!closing) process.exit(1);
  });
  process.on('message', (m: Envelope) => {
    if (m.id === undefined || m.type === undefined) return;
    const handler = handlers[m.type];
    void (async () => {
      try {
        if (handler === undefined && m.type !== 'close') throw new Error(`no handler for ${m.type}`);
        if (m.type === 'close') closing = true;
        const result = handler ? await handler(m.payload as never) : undefined;
        process.send?.({ id: m.id, result: result ?? null } satisfies Envelope);
        if (m.type === 'close') process.disconnect?.();
      } catch (e) {
        process.send?.({ id: m.id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) } satisfies Envelope);
      }
    })();
  });
}

/** The JSON argument a child was started with. */
export function childArgument<T>(): T {
  return JSON.parse(process.argv[2] ?? '{}') as T;
}
