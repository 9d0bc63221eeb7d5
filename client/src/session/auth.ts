import { LoginResponse, type Role } from '@legevakt/shared';

/** Per tab (sessionStorage): a nurse tab and a doctor tab in one browser stay apart. */
const storageKey = (role: Role): string => `legevakt.login.${role}`;

export function storedLogin(role: Role): LoginResponse | null {
  const raw = sessionStorage.getItem(storageKey(role));
  if (!raw) return null;
  const parsed = LoginResponse.safeParse(JSON.parse(raw));
  if (!parsed.success || Date.parse(parsed.data.expiresAt) <= Date.now()) {
    sessionStorage.removeItem(storageKey(role));
    return null;
  }
  return parsed.data;
}

export async function devLogin(role: Role, name: string): Promise<LoginResponse> {
  const response = await fetch('/api/auth/dev-login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ role, name }),
  });
  if (!response.ok) throw new Error(`login failed: HTTP ${response.status}`);
  const login = LoginResponse.parse(await response.json());
  sessionStorage.setItem(storageKey(role), JSON.stringify(login));
  return login;
}

export function logout(role: Role): void {
  sessionStorage.removeItem(storageKey(role));
}
