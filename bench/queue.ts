// Queue benchmark (issue 3): latency of the work-queue API under concurrent
// load, open loop at a fixed request rate against the real server process.
// Target on one machine: p99 < 20 ms at 500 requests/s.
//
//   node_modules/.bin/node bench/queue.ts [--rate 500] [--seconds 20]
//
// Writes bench/results/queue.json and bench/results/queue.md.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { LatencyRecorder } from './queue/latency.ts';
import { EventLoopDelay } from '../server/src/health/eventLoopDelay.ts';
import { startServerProcess } from '../server/src/testing/serverProcess.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: { rate: { type: 'string', default: '500' }, seconds: { type: 'string', default: '20' } },
});
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const DEMO_PASSWORD = 'legevakt-demo';
const NATIONAL_ID = '13097248022';

// Keep-alive, as browsers do: the bench measures the server, not TLS handshakes.
const agent = new https.Agent({ keepAlive: true, maxSockets: 64, rejectUnauthorized: false });

function request(
  url: string,
  method: string,
  token: string | null,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method,
        agent,
        headers: {
          ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } : {}),
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString() || '{}') }),
        );
      },
    );
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

async function login(url: string, username: string): Promise<string> {
  const res = await request(`${url}/api/auth/login`, 'POST', null, { username, password: DEMO_PASSWORD });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status}`);
  return (res.body as { accessToken: string }).accessToken;
}

const server = await startServerProcess({
  ...(process.env['BENCH_DATA_DIR'] ? { dataDir: process.env['BENCH_DATA_DIR'] } : {}),
  ...(process.env['BENCH_CPU_PROFILE']
    ? { env: { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${process.env['BENCH_CPU_PROFILE']}` } }
    : {}),
});
// BENCH_PIN=1 pins the server (every thread) to core 0 and this load generator to core 1, as the capacity bench
// does; by default both may use both cores, as a deployed server would (on this 2-core machine neither setting
// was steadily better: run-to-run noise was larger than the difference).
const pinned = process.env['BENCH_PIN'] === '1' && os.cpus().length >= 2;
if (pinned) {
  for (const [pid, core] of [
    [server.child.pid, '0'],
    [process.pid, '1'],
  ] as const) {
    const result = spawnSync('taskset', ['-a', '-p', '-c', core, String(pid)], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`taskset ${String(pid)} → core ${core}: ${result.stderr}`);
  }
}
try {
  const doctors = await Promise.all(['lege.molde', 'lege2.molde'].map((u) => login(server.url, u)));
  // Writes are 5 % of the load, split evenly between intake, claim and signing the note (which closes the
  // consult, as a doctor does after the call), so the doctors' own open consults stay few, as in a district.
  const nurses = await Promise.all(
    ['sykepleier.sunndal', 'sykepleier.rauma', 'sykepleier.midsund', 'sykepleier.aukra'].map((u) =>
      login(server.url, u),
    ),
  );
  const makeRecorders = () => ({
    list: new LatencyRecorder(),
    intake: new LatencyRecorder(),
    claim: new LatencyRecorder(),
    close: new LatencyRecorder(),
  });
  let ops = makeRecorders();
  const waiting: string[] = [];
  const claimed: { id: string; doctor: string }[] = [];
  const note = {
    findings: 'Upåfallende.',
    assessment: 'Benchmark.',
    plan: 'Ingen tiltak.',
    decision: 'gp-follow-up',
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;
  const intake = () => ({
    patient: { kind: 'known', name: 'Bench Pasient', nationalId: NATIONAL_ID },
    reason: 'benchmark',
    triage: pick(['yellow', 'green'] as const),
    pathwayId: null,
  });

  const fire = async (): Promise<void> => {
    const roll = Math.random();
    const write = (roll - 0.95) / 0.05; // 0..1 within the write share
    const op: keyof typeof ops =
      roll < 0.95
        ? 'list'
        : write < 1 / 3 || (waiting.length === 0 && claimed.length === 0)
          ? 'intake'
          : (write < 2 / 3 && waiting.length > 0) || claimed.length === 0
            ? 'claim'
            : 'close';
    const started = performance.now();
    let ok: boolean;
    if (op === 'list') {
      ok = (await request(`${server.url}/api/queue`, 'GET', pick(doctors))).status === 200;
    } else if (op === 'intake') {
      const res = await request(`${server.url}/api/consults`, 'POST', pick(nurses), intake());
      ok = res.status === 201;
      if (ok) waiting.push((res.body as { id: string }).id);
    } else if (op === 'claim') {
      const id = waiting.shift()!;
      const doctor = pick(doctors);
      // 200 (taken) and 409 (a colleague was faster) are both correct answers.
      const status = (await request(`${server.url}/api/consults/${id}/claim`, 'POST', doctor)).status;
      ok = status === 200 || status === 409;
      if (status === 200) claimed.push({ id, doctor });
    } else {
      const { id, doctor } = claimed.shift()!;
      ok = (await request(`${server.url}/api/consults/${id}/note`, 'POST', doctor, note)).status === 201;
    }
    const recorder = ops[op];
    if (ok) recorder.record(performance.now() - started);
    else recorder.errors += 1;
  };

  // Warm up (JIT, SQLite page cache), then an open loop: requests start on schedule whether or not earlier ones finished.
  for (let i = 0; i < 200; i++) await fire();
  ops = makeRecorders();

  const total = RATE * SECONDS;
  const intervalMs = 1000 / RATE;
  // Reading the health endpoint starts the server's event-loop window afresh.
  const serverLoopWindow = (): Promise<{ p50Ms: number; p99Ms: number; maxMs: number }> =>
    request(`${server.url}/api/health`, 'GET', null).then(
      (res) => (res.body as { eventLoopDelay: { p50Ms: number; p99Ms: number; maxMs: number } }).eventLoopDelay,
    );
  await serverLoopWindow();
  // The load generator's own event loop: a stall here delays the responses it times, so it is reported beside them.
  const generatorLoop = new EventLoopDelay();
  const start = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inFlight.push(fire().catch(() => undefined));
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - start) / 1000;
  const generatorLoopDelay = generatorLoop.take();
  generatorLoop.stop();
  const serverLoopDelay = await serverLoopWindow();

  const results = Object.fromEntries(Object.entries(ops).map(([name, rec]) => [name, rec.summary()]));
  const combined = Object.values(ops).reduce((n, r) => n + r.count, 0);
  const report = {
    benchmark: 'queue-api-latency',
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? '', node: process.version },
    targetRatePerSecond: RATE,
    achievedRatePerSecond: Math.round(combined / seconds),
    durationSeconds: Math.round(seconds * 10) / 10,
    operations: results,
    pinned,
    generatorLoopDelay,
    serverLoopDelay,
    target: {
      p99Ms: 20,
      // Met only at the target rate, actually sustained.
      met: RATE >= 500 && combined / seconds >= RATE * 0.95 && Object.values(results).every((r) => r.p99 < 20),
    },
  };
  const dir = path.join(ROOT, 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'queue.json'), `${JSON.stringify(report, null, 2)}\n`);
  const rows = Object.entries(results)
    .map(([name, r]) => `| ${name} | ${r.count} | ${r.errors} | ${r.p50} | ${r.p95} | ${r.p99} | ${r.max} |`)
    .join('\n');
  const md = [
    '# Queue API latency',
    '',
    `${report.date} · ${report.machine.cpus} cores (${report.machine.model}) · Node ${report.machine.node} · SQLite`,
    '',
    `Open loop at ${RATE} req/s for ${SECONDS} s (achieved ${report.achievedRatePerSecond} req/s): 95 % queue list (doctor),`,
    '5 % writes split evenly: intake (nurse), claim (doctor; 409 when a colleague was faster counts as a correct',
    'answer) and signing the note, which closes the consult (the doctor who took it).',
    `Client and server on the same machine, HTTPS with keep-alive${pinned ? '; the server (all its threads) pinned to core 0, this load generator to core 1' : ', both on both cores (BENCH_PIN=1 pins them apart)'}.`,
    '',
    '| operation | requests | errors | p50 ms | p95 ms | p99 ms | max ms |',
    '|---|---|---|---|---|---|---|',
    rows,
    '',
    'Event-loop delay meanwhile (how late each loop ran; a stall delays every request in flight):',
    '',
    '| process | p50 ms | p99 ms | max ms |',
    '|---|---|---|---|',
    `| server (from /api/health) | ${serverLoopDelay.p50Ms} | ${serverLoopDelay.p99Ms} | ${serverLoopDelay.maxMs} |`,
    `| load generator (shares the 2 cores, times the responses) | ${generatorLoopDelay.p50Ms} | ${generatorLoopDelay.p99Ms} | ${generatorLoopDelay.maxMs} |`,
    '',
    `Target p99 < 20 ms at 500 req/s: **${report.target.met ? 'met' : 'not met'}**.`,
    '',
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'queue.md'), md);
  console.log(md);
} finally {
  await server.stop();
  agent.destroy();
}
