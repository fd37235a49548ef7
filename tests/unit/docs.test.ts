import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The repository explains itself: every link in the docs leads somewhere, and every section a code
 * comment cites (`architecture.md §4`) exists. A moved file or a renumbered section fails here.
 */
const root = resolve(import.meta.dirname, '../..');
const docs = ['README.md', ...readdirSync(join(root, 'docs')).map((f) => `docs/${f}`)].filter((f) =>
  f.endsWith('.md'),
);

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx|js|mjs|cjs)$/.test(name) ? [path] : [];
  });
}

describe('the docs', () => {
  it.each(docs)('%s links only to files that exist', (doc) => {
    const text = readFileSync(join(root, doc), 'utf8');
    const targets = [...text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
      .map((m) => m[1] as string)
      .filter((t) => !/^[a-z]+:/.test(t));
    for (const target of targets) {
      const path = resolve(dirname(join(root, doc)), target);
      expect(existsSync(path), `${doc} → ${relative(root, path)}`).toBe(true);
    }
  });

  it('has every architecture section that code cites, and the rules file has every rule', () => {
    const architecture = readFileSync(join(root, 'docs/architecture.md'), 'utf8');
    const sections = new Set([...architecture.matchAll(/^## (\d+)\./gm)].map((m) => m[1]));
    const cited = new Set<string>();
    for (const file of ['shared', 'functions', 'infra', 'tests', 'web'].flatMap(sourceFiles)) {
      for (const m of readFileSync(join(root, file), 'utf8').matchAll(/architecture\.md §(\d+)/g)) {
        cited.add(m[1] as string);
      }
      // Citations name the repository's own documents, never a spec outside it.
      expect(readFileSync(join(root, file), 'utf8'), file).not.toMatch(/design(\.md)? ?§/);
    }
    expect(cited.size).toBeGreaterThan(0);
    for (const n of cited) expect(sections.has(n), `architecture.md §${n}`).toBe(true);
    const rules = readFileSync(join(root, 'docs/rules.md'), 'utf8');
    for (let r = 1; r <= 16; r++) expect(rules).toMatch(new RegExp(`^## R${r} — `, 'm'));
  });
});
