#!/usr/bin/env node
// Builds the addon with node-gyp against the headers of the running Node.
// pnpm 11+ does not pass `nodedir` from .npmrc to node-gyp, and this machine has no
// internet, so without --nodedir node-gyp would try to download headers and fail.
//
//   node scripts/build-addon.mjs               build (node-gyp rebuild)
//   node scripts/build-addon.mjs --if-missing  only when build/Release has no addon (the `build` script)
//   node scripts/build-addon.mjs --if-needed   only when no prebuilt binary of the package loads here
//                                              (the `install` script; PTR_BUILD_FROM_SOURCE=1 or
//                                              npm's --build-from-source force a build)
// Installed as the `ptr-native-build` bin: `npx ptr-native-build` builds the addon of an installed
// @ptr/native whose install script did not run (npm 11 and pnpm 10+ skip dependency scripts unless allowed).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const addon = join(root, 'build', 'Release', 'ptr_native.node');
const require = createRequire(import.meta.url);
if (process.argv.includes('--if-missing') && existsSync(addon)) process.exit(0);
if (process.argv.includes('--if-needed') && !fromSource() && prebuildLoads()) {
  console.log('@ptr/native: using the prebuilt binary for this platform (PTR_BUILD_FROM_SOURCE=1 builds from source)');
  process.exit(0);
}

const args = ['rebuild'];
const prefix = dirname(dirname(process.execPath));
const nodedir = process.env.npm_config_nodedir || (existsSync(join(prefix, 'include', 'node', 'common.gypi')) ? prefix : '');
if (nodedir) args.push(`--nodedir=${nodedir}`);
if (process.env.PTR_DEBUG_BUILD) args.push('--debug');

const gyp = require.resolve('node-gyp/bin/node-gyp.js');
const r = spawnSync(process.execPath, [gyp, ...args], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);

function fromSource() {
  const v = (s) => s !== undefined && s !== '' && s !== '0' && s !== 'false';
  return v(process.env.PTR_BUILD_FROM_SOURCE) || v(process.env.npm_config_build_from_source);
}

/** True when prebuilds/ has a binary for this platform and ABI that loads in a fresh process. */
function prebuildLoads() {
  let file;
  try {
    file = require('node-gyp-build').path(root);
  } catch {
    return false;
  }
  if (!file.includes(`${join(root, 'prebuilds')}`)) return false;
  const r = spawnSync(process.execPath, ['-e', 'require(process.argv[1])', file], { stdio: 'ignore' });
  return r.status === 0;
}
