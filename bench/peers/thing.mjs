// Peer: @thi.ng/malloc's MemPool (a JS port of tinyalloc over one ArrayBuffer).
// Resolved as a normal dependency (root devDependency) or, for development, from
// a scratch install: npm i --prefix bench/.build @thi.ng/malloc@6.1.150
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUILD_DIR, ROOT_DIR } from '../lib/proc.mjs';

export const THING_VERSION = '6.1.150';

/** { MemPool, version, from } or throws an Error that says how to install it. */
export async function loadThing() {
  for (const base of [ROOT_DIR, BUILD_DIR]) {
    let entry;
    try {
      entry = createRequire(join(base, 'package.json')).resolve('@thi.ng/malloc');
    } catch {
      continue;
    }
    const mod = await import(pathToFileURL(entry).href);
    const pkg = JSON.parse(readFileSync(join(dirname(entry), 'package.json'), 'utf8'));
    return { MemPool: mod.MemPool, version: pkg.version, from: dirname(entry) };
  }
  throw new Error(
    `@thi.ng/malloc is not installed: add "@thi.ng/malloc": "${THING_VERSION}" to the root devDependencies, ` +
      `or npm i --prefix bench/.build @thi.ng/malloc@${THING_VERSION}`,
  );
}
