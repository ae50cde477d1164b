// Builds the addon with node-gyp against the headers of the running Node.
// pnpm 11+ does not pass `nodedir` from .npmrc to node-gyp, and this machine has no
// internet, so without --nodedir node-gyp would try to download headers and fail.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const addon = join(root, 'build', 'Release', 'ptr_native.node');
if (process.argv.includes('--if-missing') && existsSync(addon)) process.exit(0);

const args = ['rebuild'];
const prefix = dirname(dirname(process.execPath));
const nodedir = process.env.npm_config_nodedir || (existsSync(join(prefix, 'include', 'node', 'common.gypi')) ? prefix : '');
if (nodedir) args.push(`--nodedir=${nodedir}`);
if (process.env.PTR_DEBUG_BUILD) args.push('--debug');

const gyp = createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
const r = spawnSync(process.execPath, [gyp, ...args], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
