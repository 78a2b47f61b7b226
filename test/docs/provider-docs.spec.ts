/**
 * Code comments explain provider quirks by pointing into docs/providers.md. A pointer is only
 * worth something while its anchor exists: a renamed or deleted section must fail here, not
 * leave comments that lead nowhere.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(__dirname, '..', '..');
const read = (file: string): string => readFileSync(join(root, file), 'utf8');

const DOC = 'docs/providers.md';
/** Where code that may cite the reference lives. */
const CODE_ROOTS = ['src', 'test', 'bench', 'scripts'];
const CITATION = /docs\/providers\.md#([A-Za-z0-9_-]+)/g;

function codeFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(join(root, dir), { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : codeFiles(path);
    return /\.(ts|js|mjs|cjs)$/.test(entry.name) ? [path] : [];
  });
}

/** Every `docs/providers.md#<anchor>` in the code, as `file: anchor`. */
function citations(): { file: string; anchor: string }[] {
  return CODE_ROOTS.flatMap(codeFiles).flatMap((file) =>
    [...read(file).matchAll(CITATION)].map((match) => ({ file, anchor: match[1]! })),
  );
}

function explicitAnchors(markdown: string): string[] {
  return [...markdown.matchAll(/<a id="([^"]+)"><\/a>/g)].map((match) => match[1]!);
}

/** GitHub's heading ids: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function headingSlugs(markdown: string): string[] {
  const seen = new Map<string, number>();
  const slugs: string[] = [];
  for (const [, text] of markdown.matchAll(/^#{1,6} +(.+?) *#* *$/gm)) {
    const base = text!
      .replace(/<[^>]+>/g, '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    slugs.push(count === 0 ? base : `${base}-${count}`);
  }
  return slugs;
}

describe('provider reference (docs/providers.md)', () => {
  const doc = read(DOC);
  const anchors = new Set([...explicitAnchors(doc), ...headingSlugs(doc)]);

  it('gives every explicit anchor one place (a heading may share it only right below it)', () => {
    const explicit = explicitAnchors(doc);
    expect(explicit.length).toBeGreaterThan(20);
    expect(explicit.filter((id, at) => explicit.indexOf(id) !== at)).toEqual([]);
    const ownHeading = new Set(
      [...doc.matchAll(/<a id="([^"]+)"><\/a>\n+(#{1,6} .*)/g)]
        .filter((match) => headingSlugs(match[2]!)[0] === match[1])
        .map((match) => match[1]!),
    );
    const slugs = headingSlugs(doc);
    expect(explicit.filter((id) => slugs.includes(id) && !ownHeading.has(id))).toEqual([]);
  });

  it('is what code comments cite, never the outside notes by section number', () => {
    const oldStyle = CODE_ROOTS.flatMap(codeFiles).filter((file) =>
      /providers\.md\s*\u00a7/.test(read(file)),
    );
    expect(oldStyle).toEqual([]);
    // Every provider's folder explains its quirks through the page.
    const cited = new Set(citations().map(({ file }) => file.split(/[\\/]/)[2]));
    expect([...cited].sort()).toEqual(
      expect.arrayContaining(['growsurf', 'refir', 'standard', 'talkable', 'wix']),
    );
  });

  it('names only files and folders that exist', () => {
    const paths = [...doc.matchAll(/`((?:src|test|docs)\/[\w./-]+)`/g)].map((match) => match[1]!);
    expect(paths.length).toBeGreaterThan(0);
    expect(paths.filter((path) => !existsSync(join(root, path)))).toEqual([]);
  });

  it('has the anchor every code comment cites', () => {
    const missing = citations()
      .filter(({ anchor }) => !anchors.has(anchor))
      .map(({ file, anchor }) => `${relative(root, join(root, file))}: #${anchor}`);
    expect(missing).toEqual([]);
  });

  it('has the anchor every link inside the page points to', () => {
    const links = [...doc.matchAll(/\]\(#([^)]+)\)/g)].map((match) => match[1]!);
    expect(links.length).toBeGreaterThan(0);
    expect(links.filter((anchor) => !anchors.has(anchor))).toEqual([]);
  });

  it('is linked from the README', () => {
    expect(read('README.md')).toContain(`](${DOC})`);
  });
});
