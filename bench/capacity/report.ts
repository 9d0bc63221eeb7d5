// Turning measured steps into the headline number (consults per core at 85 % CPU)
// and the commit-worthy Markdown table, plus the provenance that makes results
// comparable later: machine, versions, and exactly which worker binary ran.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CapacityAt85, SeriesResult, StepResult, WorkerInfo } from './types.ts';

const TARGET_CPU = 85;

/**
 * N at 85 % CPU: linear interpolation between the two loss-free steps around 85 %,
 * or, if the series stopped below 85 %, extrapolation from its last two loss-free
 * steps (CPU grows linearly with N until the core saturates); flagged as such.
 */
export function capacityAt85(steps: StepResult[]): CapacityAt85 {
  const clean = steps.filter((s) => s.lostBySeq === 0 && s.silentStreams === 0);
  for (let i = 1; i < clean.length; i++) {
    const a = clean[i - 1];
    const b = clean[i];
    if (a && b && a.workerCpuPercent < TARGET_CPU && b.workerCpuPercent >= TARGET_CPU) {
      const f = (TARGET_CPU - a.workerCpuPercent) / (b.workerCpuPercent - a.workerCpuPercent);
      return { consults: Math.round(a.consults + f * (b.consults - a.consults)), method: 'interpolated' };
    }
  }
  const a = clean.at(-2);
  const b = clean.at(-1);
  if (a && b && b.workerCpuPercent < TARGET_CPU && b.workerCpuPercent > a.workerCpuPercent) {
    const slope = (b.workerCpuPercent - a.workerCpuPercent) / (b.consults - a.consults);
    return { consults: Math.round(b.consults + (TARGET_CPU - b.workerCpuPercent) / slope), method: 'extrapolated' };
  }
  return { consults: undefined, method: 'none' };
}

export function workerInfo(bin: string): WorkerInfo {
  const bytes = readFileSync(bin);
  let ldd = '';
  try {
    ldd = execFileSync('ldd', [bin], { encoding: 'utf8' });
  } catch {
    // not a dynamic executable, or ldd missing: leave the crypto unknown
  }
  const srtpCrypto = /libsrtp2\.so/.test(ldd)
    ? 'nss (system libsrtp2.so)'
    : bytes.includes('GCM using openssl')
      ? 'openssl (static libsrtp2)'
      : 'unknown';
  const dir = path.basename(path.dirname(bin));
  return {
    path: bin,
    cacheKey: /^\d+\.\d+\.\d+-[0-9a-f]{16}$/.test(dir) ? dir : undefined,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    srtpCrypto,
  };
}

function tryRead(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function dpkgVersion(pkg: string): string | undefined {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

export function machineInfo(): Record<string, string | number | undefined> {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model,
    logicalCpus: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    kernel: `${os.type()} ${os.release()}`,
    debian: tryRead('/etc/debian_version'),
    libssl3: dpkgVersion('libssl3'),
    node: process.version,
  };
}

const fmt = (n: number, digits = 0): string => (Number.isFinite(n) ? n.toFixed(digits) : '–');

export interface Report {
  generatedAt: string;
  mediasoupVersion: string;
  machine: Record<string, string | number | undefined>;
  method: Record<string, string | number | number[]>;
  series: SeriesResult[];
}

export function toMarkdown(report: Report): string {
  const lines: string[] = [];
  lines.push('# Capacity benchmark: 2-party consults per mediasoup worker core', '');
  lines.push(`Generated ${report.generatedAt} by \`node bench/capacity.ts\` (see bench/README.md).`, '');
  lines.push(
    `mediasoup ${report.mediasoupVersion}; ` +
      Object.entries(report.machine)
        .map(([k, v]) => `${k}: ${v ?? '?'}`)
        .join('; '),
    '',
  );
  lines.push('## Summary', '');
  lines.push(
    '| series | worker binary (cache key) | libsrtp crypto | N at 85 % CPU | highest N without loss | pkt/s forwarded there | µs/pkt | stopped because |',
  );
  lines.push('|---|---|---|---|---|---|---|---|');
  for (const s of report.series) {
    const clean = s.steps.filter((x) => x.lostBySeq === 0 && x.silentStreams === 0);
    const top = clean.at(-1);
    const at85 =
      s.at85?.consults !== undefined
        ? `${s.at85.consults}${s.at85.method === 'extrapolated' ? ' (extrapolated)' : ''}`
        : '–';
    lines.push(
      `| ${s.label} / ${s.mode === 'srtp' ? 'SRTP AEAD_AES_256_GCM' : 'SRTP off'} | ${s.worker.cacheKey ?? s.worker.sha256.slice(0, 16)} | ` +
        `${s.mode === 'srtp' ? s.worker.srtpCrypto : 'n/a'} | **${at85}** | ${top?.consults ?? '–'} | ` +
        `${top ? fmt(top.forwardedPacketsPerSecond) : '–'} | ${top ? fmt(top.usPerForwardedPacket, 1) : '–'} | ${s.stopReason} |`,
    );
  }
  lines.push(
    '',
    'Worker CPU grows sub-linearly near saturation (more packets per event-loop wake-up, so fewer ' +
      'µs per packet), so "N at 85 % CPU" is the conservative planning figure and "highest N without ' +
      'loss" the measured ceiling. On a VM, host contention (steal) moves results by several % between runs.',
  );
  for (const s of report.series) {
    lines.push('', `## ${s.label} / ${s.mode === 'srtp' ? 'SRTP on' : 'SRTP off'}`, '');
    lines.push(`Binary \`${s.worker.path}\` (sha256 ${s.worker.sha256.slice(0, 16)}…).`, '');
    lines.push(
      '| N consults | worker CPU % | forwarded pkt/s | offered pkt/s | lost (seq) | loss % | silent streams | worker RSS MiB | µs/pkt | load core % | other on worker core % | disturbed windows re-measured |',
    );
    lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const x of s.steps) {
      lines.push(
        `| ${x.consults} | ${fmt(x.workerCpuPercent, 1)} | ${fmt(x.forwardedPacketsPerSecond)} | ${fmt(x.offeredPacketsPerSecond)} | ` +
          `${x.lostBySeq} | ${fmt(x.lossRate * 100, 3)} | ${x.silentStreams} | ${fmt(x.workerRssMiB, 1)} | ` +
          `${fmt(x.usPerForwardedPacket, 1)} | ${fmt(x.loadCoreBusyPercent)} | ${fmt(x.workerCoreOtherPercent, 1)} | ${x.disturbedWindowsDiscarded} |`,
      );
    }
  }
  lines.push('', '## Method', '');
  for (const [k, v] of Object.entries(report.method)) lines.push(`- ${k}: ${Array.isArray(v) ? v.join(', ') : v}`);
  return `${lines.join('\n')}\n`;
}
