import fs from 'node:fs';
import os from 'node:os';
import { cpuTimes, processCpuSeconds } from '../capacity/procStats.ts';

/**
 * How busy the machine is, split into this run's processes (this one and all it
 * started: the server, its mediasoup worker, Chromium) and everyone else's: on a
 * shared 2-core machine, other people's builds and tests move latency tails.
 */

const CPUS = os.cpus().map((_, i) => i);

function parentOf(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null; // exited meanwhile
  }
}

/** This process and every live descendant. */
export function ourProcesses(root = process.pid): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const parent = parentOf(pid);
    if (parent === null) continue;
    children.set(parent, [...(children.get(parent) ?? []), pid]);
  }
  const out: number[] = [];
  const todo = [root];
  while (todo.length > 0) {
    const pid = todo.pop()!;
    out.push(pid);
    todo.push(...(children.get(pid) ?? []));
  }
  return out;
}

function cpuOf(pids: readonly number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    try {
      out.set(pid, processCpuSeconds(pid));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

const machineBusy = (): number => CPUS.reduce((sum, cpu) => sum + cpuTimes(cpu).busy, 0);

export interface LoadShare {
  /** % of one core, all cores together (200 % = both cores busy). */
  machinePercent: number;
  oursPercent: number;
  othersPercent: number;
}

/** Starts a window; `end()` says how busy the machine was meanwhile and whose work it was. */
export function loadWindow(): { end(): LoadShare } {
  const pids = ourProcesses();
  const ours0 = cpuOf(pids);
  const busy0 = machineBusy();
  const t0 = performance.now();
  return {
    end() {
      const seconds = (performance.now() - t0) / 1000;
      const ours1 = cpuOf(pids);
      let ours = 0;
      for (const [pid, before] of ours0) ours += (ours1.get(pid) ?? before) - before;
      const machine = machineBusy() - busy0;
      const pct = (s: number): number => Math.round((s / seconds) * 100);
      return { machinePercent: pct(machine), oursPercent: pct(ours), othersPercent: pct(Math.max(0, machine - ours)) };
    },
  };
}
