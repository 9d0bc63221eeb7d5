import type { ConsultView, IntakeRequest, LoginResponse } from '@legevakt/shared';
import { DEMO_PASSWORD } from '../storage/seed.ts';
import { httpsJson } from './httpsJson.ts';

/** A valid fødselsnummer (published test example: 13 Sep 1972, female). */
export const VALID_NATIONAL_ID = '13097248022';

export const intake = (overrides: Partial<IntakeRequest> = {}): IntakeRequest => ({
  patient: { kind: 'known', name: 'Astrid Nordmann', nationalId: VALID_NATIONAL_ID },
  reason: 'Svie ved vannlating i to dager, ingen feber',
  triage: 'green',
  pathwayId: 'uti-women',
  checklist: {},
  measurements: { temperatureCelsius: 37.4, pulsePerMin: 82 },
  ...overrides,
});

export async function login(baseUrl: string, username: string): Promise<LoginResponse> {
  const response = await httpsJson<LoginResponse>(`${baseUrl}/api/auth/login`, {
    body: { username, password: DEMO_PASSWORD },
  });
  if (response.status !== 200)
    throw new Error(`login ${username}: HTTP ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

export async function requestConsult(
  baseUrl: string,
  token: string,
  request: IntakeRequest = intake(),
): Promise<ConsultView> {
  const response = await httpsJson<ConsultView>(`${baseUrl}/api/consults`, { token, body: request });
  if (response.status !== 201) throw new Error(`intake: HTTP ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

export async function claimConsult(baseUrl: string, token: string, consultId: string): Promise<ConsultView> {
  const response = await httpsJson<ConsultView>(`${baseUrl}/api/consults/${consultId}/claim`, {
    token,
    method: 'POST',
  });
  if (response.status !== 200) throw new Error(`claim: HTTP ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}
