export * from './protocol/envelope.ts';
export * from './protocol/media.ts';
export * from './protocol/auth.ts';
export * from './protocol/signaling.ts';
