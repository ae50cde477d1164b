// Peer: koffi (a C FFI for Node, N-API based) reading and writing memory it
// allocated itself (koffi.alloc + koffi.encode / koffi.decode). Resolved as a
// normal dependency (root devDependency) or, for development, from a scratch
// install: npm i --prefix bench/.build koffi@3.3.4
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { BUILD_DIR, ROOT_DIR } from '../lib/proc.mjs';

export const KOFFI_VERSION = '3.3.4';

/** { koffi, version, from } or throws an Error that says how to install it. */
export function loadKoffi() {
  for (const base of [ROOT_DIR, BUILD_DIR]) {
    const req = createRequire(join(base, 'package.json'));
    let entry;
    try {
      entry = req.resolve('koffi');
    } catch {
      continue;
    }
    const koffi = req(entry); // CommonJS: loads its prebuilt .node addon
    let dir = dirname(entry);
    while (!existsPkg(dir)) dir = dirname(dir);
    const version = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
    return { koffi, version, from: dir };
  }
  throw new Error(
    `koffi is not installed: add "koffi": "${KOFFI_VERSION}" to the root devDependencies, ` +
      `or npm i --prefix bench/.build koffi@${KOFFI_VERSION}`,
  );
}

function existsPkg(dir) {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name === 'koffi';
  } catch {
    return dirname(dir) === dir;
  }
}
