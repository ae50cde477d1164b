// Peer: glibc malloc and free as two Node-API calls (napi-glibc/). The addon is
// built at bench time with node-gyp into bench/.build/napi-glibc/, against the
// running Node's own headers (--nodedir): there is no internet to download them.
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { BENCH_DIR, ROOT_DIR, ensureBuildDir, run, tail } from '../lib/proc.mjs';

const SRC_DIR = join(BENCH_DIR, 'peers', 'napi-glibc');
const FILES = ['binding.gyp', 'napi_glibc.c'];

/** node-gyp's CLI: the one @ptr/native depends on, else any resolvable one. */
export function nodeGypPath() {
  const candidates = [join(ROOT_DIR, 'packages', 'native', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')];
  for (const from of [join(ROOT_DIR, 'packages', 'native', 'package.json'), join(ROOT_DIR, 'package.json')]) {
    try {
      candidates.push(createRequire(from).resolve('node-gyp/bin/node-gyp.js'));
    } catch {}
  }
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error('node-gyp not found (expected in packages/native/node_modules; run pnpm install)');
  return found;
}

/** --nodedir for node-gyp: $npm_config_nodedir, else the prefix of this Node when it ships its headers. */
export function nodeDir() {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
  const prefix = dirname(dirname(process.execPath));
  return existsSync(join(prefix, 'include', 'node', 'common.gypi')) ? prefix : null;
}

let loaded;

/** Builds (when the sources or Node changed) and loads the addon: { malloc, free }. Throws with the build log's tail. */
export function napiGlibc({ log = () => {} } = {}) {
  if (loaded) return loaded;
  const dir = ensureBuildDir('napi-glibc');
  const hash = createHash('sha256').update(process.version).update(process.execPath);
  for (const f of FILES) hash.update(readFileSync(join(SRC_DIR, f)));
  const stamp = hash.digest('hex');
  const addon = join(dir, 'build', 'Release', 'napi_glibc.node');
  const stampFile = join(dir, 'stamp');
  if (!existsSync(addon) || !existsSync(stampFile) || readFileSync(stampFile, 'utf8') !== stamp) {
    log('building the N-API glibc peer with node-gyp ...');
    for (const f of FILES) copyFileSync(join(SRC_DIR, f), join(dir, f));
    const args = [nodeGypPath(), 'rebuild'];
    const nd = nodeDir();
    if (nd) args.push(`--nodedir=${nd}`);
    const r = run(process.execPath, args, { cwd: dir, timeoutMs: 300_000 });
    writeFileSync(join(dir, 'build.log'), `${r.stdout}\n${r.stderr}`);
    if (!r.ok) throw new Error(`node-gyp ${args.slice(1).join(' ')} failed (${r.why}): ${tail(r.stderr || r.stdout)}`);
    writeFileSync(stampFile, stamp);
  }
  loaded = createRequire(import.meta.url)(addon);
  return loaded;
}
