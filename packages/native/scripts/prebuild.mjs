// Puts the compiled addon into prebuilds/ under the name node-gyp-build looks for, so that
// the published package loads without a compiler on this platform and Node ABI:
//   prebuilds/<platform>-<arch>/node.abi<NODE_MODULE_VERSION>.<glibc|musl>.node
// The addon uses the V8 API for its SharedArrayBuffer (see the README), so a binary is
// tied to one Node ABI (not N-API-stable): other Node majors build from source at install.
//
//   node scripts/prebuild.mjs          the `prepack` script: copy build/Release's addon (built
//                                      with --if-missing first); dist/ must be built already
//   node scripts/prebuild.mjs --clean  the `postpack` script: remove prebuilds/ again
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'prebuilds');
if (process.argv.includes('--clean')) {
  rmSync(out, { recursive: true, force: true });
  process.exit(0);
}
if (!existsSync(join(root, 'dist', 'index.js'))) {
  console.error('@ptr/native prebuild: dist/ is missing: run `pnpm run build` before packing');
  process.exit(1);
}
const addon = join(root, 'build', 'Release', 'ptr_native.node');
if (!existsSync(addon)) {
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'build-addon.mjs')], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
const libc = process.platform === 'linux' && !process.report?.getReport?.().header?.glibcVersionRuntime ? 'musl' : 'glibc';
const tags = ['node', `abi${process.versions.modules}`, ...(process.platform === 'linux' ? [libc] : [])];
const dir = join(out, `${process.platform}-${process.arch}`);
rmSync(out, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const file = join(dir, `${tags.join('.')}.node`);
copyFileSync(addon, file);
console.log(`@ptr/native prebuild: ${file.slice(root.length + 1)}`);
