import { createContext } from 'react';
import type { SignalingClient } from '../session/SignalingClient.ts';

/**
 * The socket a call rides on when there is no logged-in workspace: an invited
 * guest's page (GuestPage) provides its own. Staff calls use the workspace's.
 */
export const CallSignalingContext = createContext<SignalingClient | null>(null);
