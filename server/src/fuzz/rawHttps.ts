import https from 'node:https';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

export interface RawRequest {
  method: string;
  /** Sent as is (not normalised): may hold `..`, `%2e`, odd bytes. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Source address on the loopback range (127.0.0.2, …): a different client for per-address limits. */
  localAddress?: string;
  timeoutMs?: number;
}

/** Keep-alive like a browser, so thousands of fuzz requests do not each pay a TLS handshake. */
const agents = new Map<string, https.Agent>();
function agentFor(localAddress: string | undefined): https.Agent {
  const key = localAddress ?? '';
  let agent = agents.get(key);
  if (!agent) {
    agent = new https.Agent({
      keepAlive: true,
      maxSockets: 8,
      rejectUnauthorized: false,
      ...(localAddress ? { localAddress } : {}),
    });
    agents.set(key, agent);
  }
  return agent;
}

export function destroyAgents(): void {
  for (const agent of agents.values()) agent.destroy();
  agents.clear();
}

/**
 * One HTTPS request with full control of method, path, headers and body bytes,
 * for fuzzing and limit tests. Rejects on a socket error or when no answer
 * comes within the timeout (a hang is a finding, not something to wait out).
 */
export function rawHttps(baseUrl: string, request: RawRequest): Promise<RawResponse> {
  const base = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: base.hostname,
        port: base.port,
        method: request.method,
        path: request.path,
        agent: agentFor(request.localAddress),
        headers: {
          ...(request.body === undefined ? {} : { 'Content-Length': String(Buffer.byteLength(request.body)) }),
          ...request.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString();
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on('error', reject);
      },
    );
    const timer = setTimeout(() => {
      req.destroy(new Error(`no answer to ${request.method} ${request.path} within ${request.timeoutMs ?? 10_000} ms`));
    }, request.timeoutMs ?? 10_000);
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    if (request.body !== undefined) req.write(request.body);
    req.end();
  });
}
