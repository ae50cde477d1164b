// Peer: an empty native call through node-addon-api (the C++ wrapper most
// addons use) and through plain N-API, from one addon (napi-noop/) built at
// bench time with node-gyp into bench/.build/napi-noop/, against the running
// Node's headers and @ptr/native's node-addon-api (the same version and defines).
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { BENCH_DIR, ROOT_DIR, ensureBuildDir, run, tail } from '../lib/proc.mjs';
import { nodeDir, nodeGypPath } from './napi-glibc.mjs';

const SRC_DIR = join(BENCH_DIR, 'peers', 'napi-noop');
const SOURCE = 'napi_noop.cc';

/** node-addon-api's include directory and version, as @ptr/native resolves it. */
export function nodeAddonApi() {
  const req = createRequire(join(ROOT_DIR, 'packages', 'native', 'package.json'));
  let entry;
  try {
    entry = req.resolve('node-addon-api');
  } catch {
    throw new Error('node-addon-api not found (a dependency of @ptr/native; run pnpm install)');
  }
  const dir = dirname(entry);
  return { dir, version: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version };
}

function bindingGyp(includeDir) {
  return `${JSON.stringify(
    {
      targets: [
        {
          target_name: 'napi_noop',
          sources: [SOURCE],
          include_dirs: [includeDir],
          defines: ['NAPI_VERSION=8', 'NODE_ADDON_API_DISABLE_DEPRECATED', 'NAPI_DISABLE_CPP_EXCEPTIONS'],
          cflags_cc: ['-std=c++17', '-O2'],
        },
      ],
    },
    null,
    2,
  )}\n`;
}

let loaded;

/** Builds (when the source, node-addon-api or Node changed) and loads the addon: { rawNoop, addonApiNoop, addonApi }. */
export function napiNoops({ log = () => {} } = {}) {
  if (loaded) return loaded;
  const api = nodeAddonApi();
  const dir = ensureBuildDir('napi-noop');
  const gyp = bindingGyp(api.dir);
  const stamp = createHash('sha256').update(process.version).update(process.execPath).update(gyp).update(readFileSync(join(SRC_DIR, SOURCE))).digest('hex');
  const addon = join(dir, 'build', 'Release', 'napi_noop.node');
  const stampFile = join(dir, 'stamp');
  if (!existsSync(addon) || !existsSync(stampFile) || readFileSync(stampFile, 'utf8') !== stamp) {
    log('building the N-API no-op peers (node-addon-api and plain) with node-gyp ...');
    copyFileSync(join(SRC_DIR, SOURCE), join(dir, SOURCE));
    writeFileSync(join(dir, 'binding.gyp'), gyp);
    const args = [nodeGypPath(), 'rebuild'];
    const nd = nodeDir();
    if (nd) args.push(`--nodedir=${nd}`);
    const r = run(process.execPath, args, { cwd: dir, timeoutMs: 300_000 });
    writeFileSync(join(dir, 'build.log'), `${r.stdout}\n${r.stderr}`);
    if (!r.ok) throw new Error(`node-gyp ${args.slice(1).join(' ')} failed (${r.why}): ${tail(r.stderr || r.stdout)}`);
    writeFileSync(stampFile, stamp);
  }
  const m = createRequire(import.meta.url)(addon);
  loaded = { rawNoop: m.rawNoop, addonApiNoop: m.addonApiNoop, addonApi: api.version };
  return loaded;
}
