// Linux process/kernel counters read straight from /proc, so the worker's cost is
// measured from outside (no request to the busy worker skews the window) and UDP
// drops in socket buffers can be told apart from drops inside the worker.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let clockTicksPerSecond: number | undefined;

/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat (almost always 100). */
export function clockTicks(): number {
  if (clockTicksPerSecond === undefined) {
    try {
      clockTicksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicksPerSecond = 100;
    }
  }
  return clockTicksPerSecond;
}

/** CPU seconds (user + system) a process has used so far. */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces; fields after it are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the name: state is index 0, so utime (field 14) is 11 and stime (15) is 12.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / clockTicks();
}

/** Resident set size in MiB (VmRSS). */
export function processRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return match?.[1] !== undefined ? Number(match[1]) / 1024 : Number.NaN;
}

export interface UdpCounters {
  inDatagrams: number;
  rcvbufErrors: number;
  sndbufErrors: number;
}

/** System-wide UDP counters (/proc/net/snmp); deltas show socket-buffer drops. */
export function udpCounters(): UdpCounters {
  const lines = readFileSync('/proc/net/snmp', 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('Udp:'));
  const names = lines[0]?.split(/\s+/) ?? [];
  const values = lines[1]?.split(/\s+/) ?? [];
  const get = (name: string): number => Number(values[names.indexOf(name)] ?? Number.NaN);
  return { inDatagrams: get('InDatagrams'), rcvbufErrors: get('RcvbufErrors'), sndbufErrors: get('SndbufErrors') };
}

/**
 * Busy and total seconds of one CPU from /proc/stat. Busy minus the worker's own CPU
 * shows whether anything else (another engineer's build, say) shared the pinned core.
 */
export function cpuTimes(cpu: number): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`cpu${cpu} `));
  const v = (line ?? '').trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal ...
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: (total - idle) / clockTicks(), total: total / clockTicks() };
}

/** Pins every thread of a process to one CPU (taskset -a), so it cannot borrow the other core. */
export function pinToCpu(pid: number, cpu: number): void {
  execFileSync('taskset', ['-a', '-cp', String(cpu), String(pid)], { stdio: 'ignore' });
}

/** CPU-time sampler over a window: CPU % of one core. */
export class CpuWindow {
  readonly #pid: number;
  readonly #startCpu: number;
  readonly #startWall: bigint;

  constructor(pid: number) {
    this.#pid = pid;
    this.#startCpu = processCpuSeconds(pid);
    this.#startWall = process.hrtime.bigint();
  }

  percent(): number {
    const wallSeconds = Number(process.hrtime.bigint() - this.#startWall) / 1e9;
    return ((processCpuSeconds(this.#pid) - this.#startCpu) / wallSeconds) * 100;
  }
}

/**
 * CPU (% of one core, both cores together) used over `ms` by anything but `pids`:
 * other people's processes on a shared machine, plus some kernel network work.
 */
export async function foreignCpuPercent(pids: number[], ms: number, cpus: number[]): Promise<number> {
  const ours = (): number => pids.reduce((sum, pid) => sum + processCpuSeconds(pid), 0);
  const busy = (): number => cpus.reduce((sum, cpu) => sum + cpuTimes(cpu).busy, 0);
  const [ours0, busy0, t0] = [ours(), busy(), process.hrtime.bigint()];
  await new Promise((resolve) => setTimeout(resolve, ms));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return ((busy() - busy0 - (ours() - ours0)) / seconds) * 100;
}
