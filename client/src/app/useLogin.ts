import { useState } from 'react';
import type { LoginResponse, Role } from '@legevakt/shared';
import { logout, storedLogin } from '../session/auth.ts';

export function useLogin(role: Role) {
  const [login, setLogin] = useState<LoginResponse | null>(() => storedLogin(role));
  return {
    login,
    setLogin,
    logout: () => {
      logout(role);
      setLogin(null);
    },
  };
}
