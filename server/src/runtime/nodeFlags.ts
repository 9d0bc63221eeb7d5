/**
 * Node/V8 options every launch of the server passes (`npm start`, the Docker
 * image, the test and bench harness's server process). They cannot be set
 * from inside: V8 sizes its heap before any of our code runs.
 *
 * --max-semi-space-size=8: V8 sizes the young generation by the machine's
 * memory, and on a 24 GiB machine let it grow to 64 MB semi-spaces. Under the
 * queue bench (500 req/s) each scavenge then paused the event loop 10–28 ms
 * every ~2 s, and every request caught by one waited that long: the bulk of
 * the queue API's p99. With 8 MB they run ~5 times a second at 1–4 ms
 * (p90 3.7, max 7.4 ms measured), and list p99 fell from 12 to 6 ms, writes'
 * from ~25 to 12–15 ms. Old-generation limits stay V8's defaults.
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8'];

/**
 * The flags this process was started without (on its command line or in
 * NODE_OPTIONS), so main can warn: the server works without them, with
 * longer pauses.
 */
export function missingServerNodeFlags(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env['NODE_OPTIONS'] ?? '',
): string[] {
  const given = new Set([...execArgv, ...nodeOptions.split(/\s+/).filter((o) => o !== '')]);
  return SERVER_NODE_FLAGS.filter((flag) => !given.has(flag));
}
