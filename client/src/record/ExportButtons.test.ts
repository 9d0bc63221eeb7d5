import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../session/AuthSession.ts';
import { downloadExport } from './ExportButtons.tsx';

/**
 * The download path without a browser: fetch and the DOM are stood in for by
 * recorders (the unit project runs in Node), so what is checked is what the
 * function asks of them: the bearer token, one retry after a refresh on 401,
 * the server's file name on the link, the server's error as an ApiError.
 */

interface Clicked {
  href: string;
  download: string;
}

function browser(responses: Response[]) {
  const requests: { url: string; authorization: string | null }[] = [];
  const clicked: Clicked[] = [];
  vi.stubGlobal('fetch', (url: string, init: RequestInit) => {
    requests.push({ url, authorization: new Headers(init.headers).get('Authorization') });
    const next = responses.shift();
    if (!next) throw new Error('unexpected request');
    return Promise.resolve(next);
  });
  const link = {
    href: '',
    download: '',
    click: () => clicked.push({ href: link.href, download: link.download }),
    remove: () => undefined,
  };
  vi.stubGlobal('document', { createElement: () => link, body: { append: () => undefined } });
  vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:export-1');
  vi.spyOn(URL, 'revokeObjectURL').mockReturnValue(undefined);
  return { requests, clicked };
}

function auth(tokens: string[]) {
  let token = tokens.shift()!;
  return {
    refreshed: 0,
    accessToken() {
      return Promise.resolve(token);
    },
    refresh() {
      this.refreshed += 1;
      token = tokens.shift()!;
      return Promise.resolve();
    },
  };
}

const pdf = (name: string) =>
  new Response(new Uint8Array([0x25, 0x50, 0x44, 0x46]), {
    status: 200,
    headers: { 'Content-Type': 'application/pdf', 'Content-Disposition': `attachment; filename="${name}"` },
  });

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('downloading an export', () => {
  it('fetches with the bearer token and saves under the server’s file name', async () => {
    const { requests, clicked } = browser([pdf('legevakt-konsultasjon-2025-01-14-5b0d7c8e.pdf')]);
    await downloadExport(auth(['t1']), '5b0d7c8e-3f1a-4c2b-9d4e-6a7f8b9c0d1e', 'pdf');
    expect(requests).toEqual([
      { url: '/api/consults/5b0d7c8e-3f1a-4c2b-9d4e-6a7f8b9c0d1e/export.pdf', authorization: 'Bearer t1' },
    ]);
    expect(clicked).toEqual([{ href: 'blob:export-1', download: 'legevakt-konsultasjon-2025-01-14-5b0d7c8e.pdf' }]);
  });

  it('renews an expired token once and retries', async () => {
    const expired = new Response('{}', { status: 401 });
    const { requests, clicked } = browser([expired, pdf('x.fhir.json')]);
    const session = auth(['old', 'new']);
    await downloadExport(session, 'c1', 'fhir');
    expect(session.refreshed).toBe(1);
    expect(requests.map((r) => [r.url, r.authorization])).toEqual([
      ['/api/consults/c1/export.fhir.json', 'Bearer old'],
      ['/api/consults/c1/export.fhir.json', 'Bearer new'],
    ]);
    expect(clicked[0]?.download).toBe('x.fhir.json');
  });

  it('throws the server’s refusal as an ApiError and saves nothing', async () => {
    const refused = new Response(JSON.stringify({ error: { code: 'FORBIDDEN', message: 'not your consult' } }), {
      status: 403,
      headers: { 'Content-Type': 'application/json' },
    });
    const { clicked } = browser([refused]);
    const failure = downloadExport(auth(['t']), 'c1', 'pdf');
    await expect(failure).rejects.toBeInstanceOf(ApiError);
    await expect(failure).rejects.toMatchObject({ status: 403, code: 'FORBIDDEN', message: 'not your consult' });
    expect(clicked).toEqual([]);
  });
});
