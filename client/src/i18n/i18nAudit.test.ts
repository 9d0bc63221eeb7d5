import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { en } from './en.ts';
import { nb } from './nb.ts';

/**
 * Every word a user reads comes from the translation files: this scans every
 * component for JSX text and for string-literal labels (aria-label, title,
 * placeholder, alt) that are not t(...) calls. What is not language (units,
 * symbols, the names of the languages in their own language) is allowed by
 * name below, so a new exception is a visible decision.
 */
const ALLOWED = new Set([
  // Each language is named in its own language in the language picker.
  'Norsk bokmål',
  'English',
]);

/** Units and symbols that read the same in both languages, as words between numbers and punctuation. */
const UNITS = new Set(['SpO₂', 'mmHg', 'ms', 's', 'mm', 'px', 'mV', 'Hz', 'min', '°C', 'NEWS2', 'EKG', 'ECG']);

const LABEL_PROPS = new Set(['aria-label', 'title', 'placeholder', 'alt', 'aria-description', 'aria-roledescription']);

interface Violation {
  file: string;
  line: number;
  text: string;
  /** 'text', or the prop's name. */
  where: string;
}

/** Text with letters in it that is not on the allow-list: language. */
function isLanguage(text: string): boolean {
  const trimmed = text.replace(/\s+/g, ' ').trim();
  if (!/\p{L}/u.test(trimmed) || ALLOWED.has(trimmed)) return false;
  const words = (trimmed.match(/[\p{L}\p{N}°]+/gu) ?? []).filter((word) => /\p{L}/u.test(word));
  return !words.every((word) => UNITS.has(word));
}

function auditSource(file: string, source: string): Violation[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const found: Violation[] = [];
  const report = (node: ts.Node, text: string, where: string) => {
    const { line } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
    found.push({ file, line: line + 1, text: text.trim(), where });
  };
  const literalText = (node: ts.Node | undefined): string | null => {
    if (!node) return null;
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
    if (ts.isJsxExpression(node)) return literalText(node.expression);
    if (ts.isParenthesizedExpression(node)) return literalText(node.expression);
    return null;
  };
  const visit = (node: ts.Node) => {
    if (ts.isJsxText(node)) {
      if (isLanguage(node.text)) report(node, node.text, 'text');
    } else if (ts.isJsxExpression(node) && (ts.isJsxElement(node.parent) || ts.isJsxFragment(node.parent))) {
      // {'Some words'} as a child is JSX text too.
      const text = literalText(node.expression);
      if (text !== null && isLanguage(text)) report(node, text, 'text');
    } else if (ts.isJsxAttribute(node)) {
      const name = node.name.getText(sf);
      if (LABEL_PROPS.has(name)) {
        const text = literalText(node.initializer);
        if (text !== null && isLanguage(text)) report(node, text, name);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

function componentFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return componentFiles(full);
    return entry.name.endsWith('.tsx') ? [full] : [];
  });
}

const CLIENT_SRC = path.resolve(import.meta.dirname, '..');

describe('the i18n audit', () => {
  it('finds planted hard-coded text, labels and placeholders, and lets t(...) and symbols through', () => {
    const planted = `
      export function Planted({ t }: { t: (k: string) => string }) {
        return (
          <div>
            <h2>Pasientens tilstand</h2>
            <button aria-label="Lukk vinduet" title={t('x')}>×</button>
            <input placeholder={'Skriv her'} />
            <img alt={\`Bilde\`} />
            <p>{'Ventetid'}</p>
            <span>{t('queue.heading')} · 12 %</span>
            <span>SpO₂</span>
            <span>({'1'} mm = 3,8 px)</span>
            <span>5 sekunder</span>
            <span aria-label={t('ok')} />
          </div>
        );
      }`;
    const violations = auditSource('Planted.tsx', planted);
    expect(violations.map((v) => [v.where, v.text])).toEqual([
      ['text', 'Pasientens tilstand'],
      ['aria-label', 'Lukk vinduet'],
      ['placeholder', 'Skriv her'],
      ['alt', 'Bilde'],
      ['text', 'Ventetid'],
      ['text', '5 sekunder'],
    ]);
    expect(violations[0]?.line).toBe(5);
  });

  it('finds no hard-coded user-facing text in client/src/**/*.tsx', () => {
    const files = componentFiles(CLIENT_SRC);
    expect(files.length).toBeGreaterThan(20);
    const violations = files.flatMap((file) =>
      auditSource(path.relative(CLIENT_SRC, file), fs.readFileSync(file, 'utf8')),
    );
    expect(violations.map((v) => `${v.file}:${v.line} ${v.where}: ${v.text}`)).toEqual([]);
  });
});

describe('the translation files', () => {
  it('have the same keys in bokmål and English, none empty', () => {
    const nbKeys = Object.keys(nb).sort();
    const enKeys = Object.keys(en).sort();
    expect(enKeys.filter((k) => !(k in nb))).toEqual([]);
    expect(nbKeys.filter((k) => !(k in en))).toEqual([]);
    const empty = (catalogue: Record<string, string>) =>
      Object.entries(catalogue)
        .filter(([, text]) => text.trim() === '')
        .map(([key]) => key);
    expect(empty(nb)).toEqual([]);
    expect(empty(en)).toEqual([]);
  });

  it('use the same {placeholders} in both languages', () => {
    const names = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    const mismatched = Object.keys(nb).filter(
      (key) => JSON.stringify(names(nb[key as keyof typeof nb])) !== JSON.stringify(names(en[key as keyof typeof en])),
    );
    expect(mismatched).toEqual([]);
  });
});
