// Capacity benchmark: how many 2-party consults one mediasoup worker forwards on one
// core, with SRTP (AEAD_AES_256_GCM) and without. See bench/README.md.
//
//   node_modules/.bin/node bench/capacity.ts \
//     [--bin LABEL=PATH]...         worker binaries to compare (default: MEDIASOUP_WORKER_BIN
//                                   or mediasoup's own path, labelled "worker")
//     [--series LABEL/MODE,...]     e.g. nss/srtp,openssl/srtp,openssl/plain (default: every
//                                   binary with SRTP, plus the last binary with SRTP off)
//     [--steps 10,20,40,...] [--warmup-s 4] [--window-s 8] [--out DIR]
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as mediasoup from 'mediasoup';
import { pinToCpu } from './capacity/procStats.ts';
import { capacityAt85, machineInfo, type Report, toMarkdown, workerInfo } from './capacity/report.ts';
import { LOAD_CPU, runSeries, WORKER_CPU } from './capacity/runner.ts';
import type { Mode, SeriesResult, SeriesSpec } from './capacity/types.ts';
import { PACKETS_PER_SECOND_PER_PARTICIPANT } from './capacity/rtpGenerator.ts';

const DEFAULT_STEPS = [10, 20, 40, 60, 70, 80, 90, 100, 110, 120, 130, 140];

/** An interrupted run must not leave half a results file for someone to commit. */
function writeAtomically(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

function log(line: string): void {
  process.stderr.write(`[capacity] ${line}\n`);
}

function parseBins(values: string[]): Map<string, string> {
  const bins = new Map<string, string>();
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new Error(`--bin expects LABEL=PATH, got ${v}`);
    bins.set(v.slice(0, eq), path.resolve(v.slice(eq + 1)));
  }
  if (bins.size === 0) bins.set('worker', process.env['MEDIASOUP_WORKER_BIN'] ?? mediasoup.workerBin);
  return bins;
}

function parseSeries(value: string | undefined, bins: Map<string, string>): SeriesSpec[] {
  const labels = [...bins.keys()];
  const pairs: [string, Mode][] = value
    ? value.split(',').map((item) => {
        const [label = '', mode = ''] = item.split('/');
        if (mode !== 'srtp' && mode !== 'plain') throw new Error(`--series item ${item}: mode must be srtp or plain`);
        return [label, mode];
      })
    : [...labels.map((l): [string, Mode] => [l, 'srtp']), [labels.at(-1) ?? 'worker', 'plain']];
  return pairs.map(([label, mode]) => {
    const workerBin = bins.get(label);
    if (!workerBin) throw new Error(`--series names unknown binary label ${label}`);
    return { label, mode, workerBin, worker: workerInfo(workerBin) };
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      bin: { type: 'string', multiple: true, default: [] },
      series: { type: 'string' },
      steps: { type: 'string' },
      'warmup-s': { type: 'string', default: '4' },
      'window-s': { type: 'string', default: '8' },
      out: { type: 'string', default: path.join(import.meta.dirname, 'results') },
    },
  });
  const bins = parseBins(values.bin);
  const specs = parseSeries(values.series, bins);
  const steps = values.steps ? values.steps.split(',').map(Number) : DEFAULT_STEPS;
  const warmupMs = Number(values['warmup-s']) * 1000;
  const windowMs = Number(values['window-s']) * 1000;

  // Everything this process starts (the peer worker) inherits the load core;
  // the worker under test is moved to its own core right after it spawns.
  pinToCpu(process.pid, LOAD_CPU);

  const started = Date.now();
  const series: SeriesResult[] = [];
  for (const spec of specs) {
    const result = await runSeries(spec, { steps, warmupMs, windowMs, stopCpuPercent: 95, stopLossRate: 1e-4, log });
    result.at85 = capacityAt85(result.steps);
    log(`  -> N at 85 % CPU: ${result.at85.consults ?? '–'} (${result.at85.method}); stopped: ${result.stopReason}`);
    series.push(result);
  }

  const report: Report = {
    generatedAt: new Date().toISOString(),
    mediasoupVersion: mediasoup.version,
    machine: machineInfo(),
    method: {
      consult:
        "2 participants; each sends VP8 (~1.16 Mbit/s, 1100-byte packets, 30 fps, keyframe every 3 s) + opus (20 ms, ~40 kbit/s) and receives the other's: 4 producers + 4 consumers per consult, 2 PlainTransports (rtcpMux) in one router per step",
      packetsPerSecondPerConsult: Math.round(2 * PACKETS_PER_SECOND_PER_PARTICIPANT),
      srtp: 'AEAD_AES_256_GCM on every transport of the worker under test (mode srtp); none (mode plain)',
      pinning: `worker under test on CPU ${WORKER_CPU}; load generator, counting sinks and the peer worker that produces the (S)RTP on CPU ${LOAD_CPU}`,
      cpu: 'utime+stime of the worker process from /proc/<pid>/stat over the window, % of one core',
      loss: 'gaps in RTP sequence numbers at the counting sinks during the window',
      at85: 'linear interpolation between loss-free steps around 85 % (extrapolated from the last two if never reached)',
      warmupSeconds: warmupMs / 1000,
      windowSeconds: windowMs / 1000,
      steps,
      stop: 'worker CPU ≥ 95 %, loss > 0.01 %, or load core ≥ 97 % busy',
      wallSeconds: Math.round((Date.now() - started) / 1000),
    },
    series,
  };
  mkdirSync(values.out, { recursive: true });
  writeAtomically(path.join(values.out, 'capacity.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeAtomically(path.join(values.out, 'capacity.md'), toMarkdown(report));
  log(`wrote ${path.join(values.out, 'capacity.json')} and capacity.md in ${report.method['wallSeconds']} s`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
