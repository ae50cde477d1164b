// Peer: plain piscina, the pool @ptr/worker wraps. Resolved from @ptr/worker
// (its dependency: the very same copy), else from the root, else from a scratch
// install: npm i --prefix bench/.build piscina@5.3.2
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { BUILD_DIR, ROOT_DIR } from '../lib/proc.mjs';

/** { Piscina, version, from } or throws an Error that says how to install it. */
export function loadPiscina() {
  for (const base of [join(ROOT_DIR, 'packages', 'worker'), ROOT_DIR, BUILD_DIR]) {
    const req = createRequire(join(base, 'package.json'));
    let entry;
    try {
      entry = req.resolve('piscina');
    } catch {
      continue;
    }
    const mod = req(entry);
    const dir = dirname(dirname(entry)); // .../piscina/dist/main.js
    const version = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
    return { Piscina: mod.Piscina ?? mod.default ?? mod, version, from: dir };
  }
  throw new Error('piscina is not installed (a dependency of @ptr/worker: run pnpm install)');
}
