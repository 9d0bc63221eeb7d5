import { pino } from 'pino';
import type { Express } from 'express';
import { createApp, type AppDeps } from '../http/app.ts';
import { DEFAULT_RATE_LIMITS } from '../limits/limitsConfig.ts';

export interface RouteInfo {
  /** Upper-case HTTP method. */
  readonly method: string;
  /** Express path with its parameters, e.g. `/api/consults/:id/strips`. */
  readonly path: string;
}

interface LayerLike {
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: LayerLike[] };
}

/** Every route of an express 5 app (router 2.x keeps each layer's path as `rawPath`). */
export function listRoutes(app: Express): RouteInfo[] {
  const routes: RouteInfo[] = [];
  const walk = (stack: LayerLike[], prefix: string): void => {
    for (const layer of stack) {
      if (layer.route && typeof layer.route.path === 'string') {
        for (const [method, on] of Object.entries(layer.route.methods)) {
          if (on && method !== '_all')
            routes.push({ method: method.toUpperCase(), path: join(prefix, layer.route.path) });
        }
      } else if (layer.handle?.stack && typeof layer.rawPath === 'string') {
        walk(layer.handle.stack, join(prefix, layer.rawPath));
      }
    }
  };
  walk((app as unknown as { router: { stack: LayerLike[] } }).router.stack, '');
  return routes;
}

function join(prefix: string, path: string): string {
  if (path === '/') return prefix || '/';
  return `${prefix}${path}`.replace(/\/{2,}/g, '/');
}

/**
 * The routes `createApp` mounts, read from an app built only to be looked at:
 * its services are stand-ins that are never called (no request goes through
 * this app). Reading the table from the app itself means a route added later
 * is fuzzed without anyone remembering to list it here.
 */
export function appRoutes(): RouteInfo[] {
  const standIn: unknown = new Proxy(function standIn() {}, {
    get: (_target, key) => (key === 'then' || typeof key === 'symbol' ? undefined : standIn),
    apply: () => standIn,
    construct: () => standIn as object,
  });
  const known: Record<string, unknown> = {
    clientDistDir: null,
    limits: DEFAULT_RATE_LIMITS,
    log: pino({ level: 'silent' }),
    // Optional settings take their defaults (a stand-in is not a number).
    photoMaxBytes: undefined,
  };
  const deps = new Proxy(known, {
    get: (target, key) => (typeof key === 'string' && key in target ? target[key] : standIn),
  }) as unknown as AppDeps;
  return listRoutes(createApp(deps));
}
