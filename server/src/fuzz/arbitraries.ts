import fc from 'fast-check';
import type { z } from 'zod';

/**
 * Generators shared by the fuzz suites: values shaped like a zod schema (so a
 * fuzzed request gets past the envelope and reaches the method's own checks
 * and handlers), and mutations of valid values (a field dropped, a type
 * swapped, huge numbers, deep nesting, long or odd strings, prototype keys).
 */

/**
 * How many times the CI-sized run is multiplied: `npm run fuzz` sets LEGEVAKT_FUZZ_RUNS=100; a fraction
 * (0.1) makes a quick run while developing.
 */
export const FUZZ_SCALE = Math.max(0.001, Number(process.env['LEGEVAKT_FUZZ_RUNS'] ?? '1') || 1);

/** fast-check parameters for a property sized `base` runs in CI; LEGEVAKT_FUZZ_SEED replays a reported failure. */
export function fuzzParameters(base: number): fc.Parameters<unknown> {
  const seed = process.env['LEGEVAKT_FUZZ_SEED'];
  return {
    numRuns: Math.max(1, Math.round(base * FUZZ_SCALE)),
    // A failing case is reported with its seed and path. Shrinking is off unless asked for
    // (LEGEVAKT_FUZZ_SHRINK=1, with LEGEVAKT_FUZZ_SEED to replay): against a live server it can take
    // hours for a case holding a 60 KiB string or 1000-deep nesting.
    endOnFailure: process.env['LEGEVAKT_FUZZ_SHRINK'] !== '1',
    ...(seed ? { seed: Number(seed) } : {}),
  };
}

/** Vitest timeout for a property of `base` runs taking about `msPerRun` each, with a margin for a loaded machine. */
export function fuzzTimeout(base: number, msPerRun: number): number {
  return 30_000 + Math.round(base * FUZZ_SCALE * msPerRun * 4);
}

export const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

/** Strings that have broken parsers elsewhere: control characters, lone surrogates, RTL marks, long runs. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.string({ unit: 'grapheme', maxLength: 32 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\ud800',
    '\udfff\ud800',
    '\u202e\u202d',
    '\ufeff',
    '../../etc/passwd',
    '..%2f..%2fetc%2fpasswd',
    '%00',
    '${jndi:ldap://x}',
    '<script>alert(1)</script>',
    "' OR 1=1 --",
    'NaN',
    'Infinity',
    '-0',
    '1e309',
    '__proto__',
    'constructor',
    'ÆØÅ æøå',
    '\r\n\r\n',
    '😀'.repeat(100),
  ),
  fc.integer({ min: 1000, max: 20_000 }).map((n) => 'A'.repeat(n)),
);

export const nastyNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(
    0,
    -0,
    -1,
    1e308,
    -1e308,
    Number.MAX_SAFE_INTEGER,
    Number.MAX_SAFE_INTEGER + 2,
    -Number.MAX_SAFE_INTEGER - 2,
    2 ** 31,
    2 ** 32,
    2 ** 53,
    2 ** 64,
    5e-324,
    0.1,
    1.5,
    65536,
    65535,
    -65536,
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

/** Nested arrays or objects `depth` deep: a stack-depth attack on parsers and validators. */
export const deepNesting: fc.Arbitrary<unknown> = fc
  .tuple(fc.integer({ min: 50, max: 1500 }), fc.boolean())
  .map(([depth, arrays]) => {
    let value: unknown = 1;
    for (let i = 0; i < depth; i++) value = arrays ? [value] : { a: value };
    return value;
  });

/** An object with prototype-pollution keys as own properties (as JSON.parse would make them). */
export const pollutingObject: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(fc.constantFrom(...PROTOTYPE_KEYS), fc.jsonValue({ maxDepth: 2 }))
  .map(([key, value]) => withOwnKey({}, key, { polluted: true, value }));

export function withOwnKey<T extends object>(target: T, key: string, value: unknown): T {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  return target;
}

export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 2, arbitrary: nastyString },
  { weight: 2, arbitrary: nastyNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}) },
  { weight: 1, arbitrary: deepNesting },
  { weight: 1, arbitrary: pollutingObject },
);

type Def = {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  entries?: Record<string, string | number>;
  values?: unknown[];
  options?: z.ZodType[];
  keyType?: z.ZodType;
  valueType?: z.ZodType;
  in?: z.ZodType;
  format?: string;
  pattern?: RegExp;
  checks?: {
    _zod: { def: { check: string; maximum?: number; minimum?: number; format?: string; pattern?: RegExp } };
  }[];
};

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/**
 * Values of the schema's shape: mostly valid, not always (refinements and
 * cross-field rules are not modelled). Unknown schema kinds give arbitrary JSON.
 */
export function arbitraryOf(schema: z.ZodType, depth = 0): fc.Arbitrary<unknown> {
  const def = defOf(schema);
  if (depth > 8) return fc.constant(null);
  switch (def.type) {
    case 'object': {
      const shape: Record<string, fc.Arbitrary<unknown>> = {};
      const required: string[] = [];
      for (const [key, field] of Object.entries(def.shape ?? {})) {
        const optional = defOf(field).type === 'optional';
        shape[key] = arbitraryOf(field, depth + 1);
        if (!optional) required.push(key);
      }
      return fc.record(shape, { requiredKeys: required });
    }
    case 'optional':
    case 'nonoptional':
    case 'readonly':
    case 'default':
    case 'catch':
      return arbitraryOf(def.innerType!, depth);
    case 'nullable':
      return fc.option(arbitraryOf(def.innerType!, depth), { nil: null, freq: 5 });
    case 'pipe':
      return arbitraryOf(def.in!, depth);
    case 'array': {
      const max = def.checks?.find((c) => c._zod.def.check === 'max_length')?._zod.def.maximum ?? 4;
      const min = def.checks?.find((c) => c._zod.def.check === 'min_length')?._zod.def.minimum ?? 0;
      return fc.array(arbitraryOf(def.element!, depth + 1), {
        minLength: min,
        maxLength: Math.max(min, Math.min(max, 4)),
      });
    }
    case 'record':
      return fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), arbitraryOf(def.valueType!, depth + 1), {
        maxKeys: 4,
      });
    case 'union':
      return fc.oneof(...(def.options ?? []).map((o) => arbitraryOf(o, depth + 1)));
    case 'enum':
      return fc.constantFrom(...Object.values(def.entries ?? { x: 'x' }));
    case 'literal':
      return fc.constantFrom(...(def.values ?? [null]));
    case 'boolean':
      return fc.boolean();
    case 'number':
      return fc.oneof(
        { weight: 4, arbitrary: fc.integer({ min: 0, max: 5000 }) },
        { weight: 1, arbitrary: nastyNumber },
      );
    case 'string':
      return stringOf(def);
    case 'null':
      return fc.constant(null);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function stringOf(def: Def): fc.Arbitrary<string> {
  const format = def.format ?? def.checks?.find((c) => c._zod.def.check === 'string_format')?._zod.def.format;
  if (format === 'base64') return fc.uint8Array({ maxLength: 96 }).map((b) => Buffer.from(b).toString('base64'));
  const pattern = def.pattern ?? def.checks?.find((c) => c._zod.def.pattern instanceof RegExp)?._zod.def.pattern;
  if (format === 'regex' && pattern) return fc.stringMatching(pattern).filter((s) => s.length <= 128);
  const max = def.checks?.find((c) => c._zod.def.check === 'max_length')?._zod.def.maximum ?? 64;
  return fc.oneof(
    { weight: 4, arbitrary: fc.string({ maxLength: Math.min(max, 64) }) },
    { weight: 1, arbitrary: nastyString },
  );
}

type Path = (string | number)[];

function paths(value: unknown, prefix: Path = [], out: Path[] = [], depth = 0): Path[] {
  out.push(prefix);
  if (depth > 6 || typeof value !== 'object' || value === null) return out;
  for (const [key, child] of Object.entries(value)) {
    paths(child, [...prefix, Array.isArray(value) ? Number(key) : key], out, depth + 1);
  }
  return out;
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function parentOf(root: unknown, path: Path): Record<string, unknown> | unknown[] | null {
  let node: unknown = root;
  for (const key of path.slice(0, -1)) {
    if (typeof node !== 'object' || node === null) return null;
    node = (node as Record<string, unknown>)[String(key)];
  }
  return typeof node === 'object' && node !== null ? (node as Record<string, unknown>) : null;
}

/** One mutation of a valid value: drop a field, swap a value for a hostile one, add a stray or polluting key. */
export function mutationOf(valid: unknown): fc.Arbitrary<unknown> {
  const all = paths(valid);
  const inner = all.filter((p) => p.length > 0);
  const pick = fc.constantFrom(...all);
  const replace = fc.tuple(pick, hostileValue).map(([path, replacement]) => {
    if (path.length === 0) return replacement;
    const copy = clone(valid);
    const parent = parentOf(copy, path);
    if (parent) (parent as Record<string, unknown>)[String(path.at(-1))] = replacement;
    return copy;
  });
  const drop =
    inner.length === 0
      ? replace
      : fc.constantFrom(...inner).map((path) => {
          const copy = clone(valid);
          const parent = parentOf(copy, path);
          if (Array.isArray(parent)) parent.splice(Number(path.at(-1)), 1);
          else if (parent) Reflect.deleteProperty(parent, String(path.at(-1)));
          return copy;
        });
  const addKey = fc
    .tuple(pick, fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS), fc.string({ maxLength: 12 })), hostileValue)
    .map(([path, key, extra]) => {
      const copy = clone(valid);
      const parent = path.length === 0 ? null : parentOf(copy, path);
      const target: unknown =
        path.length === 0 ? copy : parent ? (parent as Record<string, unknown>)[String(path.at(-1))] : null;
      if (typeof target === 'object' && target !== null && !Array.isArray(target)) withOwnKey(target, key, extra);
      return copy;
    });
  return fc.oneof(replace, drop, addKey);
}
