/**
 * The packages install outside this repository: `pnpm pack` tarballs of
 * @ptr/native, @ptr/core and @ptr/worker go into fresh projects in a temp
 * folder, once with npm and once with pnpm. A TypeScript consumer
 * (test/fixtures/packaging/consumer) type-checks against the published
 * declarations (strict, skipLibCheck off) and runs a pooled task.
 *
 * - npm: dependency install scripts are blocked (npm 11's default) and there is
 *   no compiler (CC/CXX=false): the addon must come from the prebuilt binary
 *   inside the package (prebuilds/linux-x64, loaded through node-gyp-build).
 * - pnpm: the install script may run (allowBuilds) and PTR_BUILD_FROM_SOURCE=1
 *   forces the fallback: node-gyp builds the addon there, against the running
 *   Node's headers (--nodedir), with no download.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const consumer = join(repo, 'test/fixtures/packaging/consumer');
const tsc = join(repo, 'node_modules/typescript/bin/tsc');
const PNPM = ['-y', 'pnpm@12.4.2'];
const work = mkdtempSync(join(tmpdir(), 'ptr-packaging-'));
const packs = join(work, 'packs');
const names = ['native', 'core', 'worker'] as const;
const tarball = (name: string): string => join(packs, `ptr-${name}-0.1.0.tgz`);

/** The environment of a child that should not see the outer pnpm/npm run (its npm_* config, its workspace). */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(npm_|pnpm_|PNPM_|INIT_CWD$|NODE_OPTIONS$)/.test(k)) env[k] = v;
  return { ...env, CI: 'true', ...extra };
}

interface Run {
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], cwd: string, env = cleanEnv()): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, env, maxBuffer: 64 << 20, timeout: 110_000 }, (error, stdout, stderr) => {
      if (error) {
        const tail = (s: string): string => s.split('\n').slice(-40).join('\n');
        reject(new Error(`${cmd} ${args.join(' ')} (in ${cwd}) failed: ${error.message}\n--- stdout\n${tail(stdout)}\n--- stderr\n${tail(stderr)}`));
      } else resolve({ stdout, stderr });
    });
  });
}

const packed = (async () => {
  for (const name of names) {
    await run('npx', [...PNPM, 'pack', '--pack-destination', packs], join(repo, 'packages', name));
  }
})();

test.after.always(() => {
  rmSync(work, { recursive: true, force: true });
});

/** Copies the consumer in, compiles it with tsc (the type check) and runs it; returns its report. */
async function checkAndRun(dir: string, env: NodeJS.ProcessEnv): Promise<Record<string, unknown>> {
  cpSync(join(consumer, 'src'), join(dir, 'src'), { recursive: true });
  cpSync(join(consumer, 'tsconfig.json'), join(dir, 'tsconfig.json'));
  await run(process.execPath, [tsc, '-p', 'tsconfig.json'], dir);
  const { stdout } = await run(process.execPath, [join(dir, 'dist/main.mjs')], dir, env);
  return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

const expected = { sum: 49_995_000, chunks: 2, frames: true, x: 3, isStruct: true, n: 8, copied: 'consumer', heapBase: true };

/** The consumer's report, its live-block count checked apart (at least its own four blocks). */
function report(t: import('ava').ExecutionContext, r: Record<string, unknown>): void {
  const { blocks, ...rest } = r;
  t.deepEqual(rest, expected);
  t.true(typeof blocks === 'number' && blocks >= 4, `blocks ${String(blocks)}`);
}

test('the tarballs hold the built code, declarations, sources and the linux-x64 prebuild, and pnpm pack rewrote workspace:*', async (t) => {
  await packed;
  const list = async (name: string): Promise<string[]> => (await run('tar', ['tzf', tarball(name)], work)).stdout.split('\n');
  const native = await list('native');
  t.true(native.some((f) => /^package\/prebuilds\/linux-x64\/node\.abi\d+\.glibc\.node$/.test(f)), 'prebuild');
  for (const f of ['package/dist/index.js', 'package/dist/index.d.ts', 'package/binding.gyp', 'package/src/addon.cc', 'package/scripts/build-addon.mjs']) {
    t.true(native.includes(f), f);
  }
  t.false(native.some((f) => f.startsWith('package/build/') || f.includes('node_modules')), 'no build dir, no node_modules');
  const core = await list('core');
  t.true(core.includes('package/dist/libc.d.ts'));
  const worker = await list('worker');
  t.true(worker.includes('package/dist/index.d.ts'));
  const manifest = JSON.parse((await run('tar', ['xzf', tarball('worker'), '-O', 'package/package.json'], work)).stdout) as {
    dependencies: Record<string, string>;
  };
  t.is(manifest.dependencies['@ptr/core'], '0.1.0');
  t.is(manifest.dependencies['@ptr/native'], '0.1.0');
  t.false(existsSync(join(repo, 'packages/native/prebuilds')), 'postpack removed prebuilds/ from the work tree');
});

test('npm: install with scripts blocked and no compiler, load the prebuilt addon, type-check and run a pooled task', async (t) => {
  await packed;
  const dir = join(work, 'npm');
  mkdirSync(dir);
  cpSync(join(consumer, 'package.npm.json'), join(dir, 'package.json'));
  const noCompiler = { CC: 'false', CXX: 'false', PTR_BUILD_FROM_SOURCE: '' };
  // the three tarballs together: each satisfies the others' exact-version dependencies
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...names.map(tarball)], dir, cleanEnv(noCompiler));
  const native = join(dir, 'node_modules/@ptr/native');
  t.false(existsSync(join(native, 'build')), 'nothing was built');
  t.true(readdirSync(join(native, 'prebuilds/linux-x64')).length > 0);
  report(t, await checkAndRun(dir, cleanEnv(noCompiler)));
  // the heap map ships as a bin (a symlink in node_modules/.bin) and runs the consumer in-process
  const { stderr } = await run(join(dir, 'node_modules/.bin/ptr-heap-map'), ['-o', 'heap.svg', 'dist/main.mjs'], dir, cleanEnv(noCompiler));
  t.regex(stderr, /ptr-heap-map: .*heap\.svg/);
  t.regex(readFileSync(join(dir, 'heap.svg'), 'utf8'), /^<\?xml[^]*<svg[^]*<\/svg>\s*$/);
});

test('pnpm: install with the build allowed and forced from source (node-gyp, no download), type-check and run a pooled task', async (t) => {
  await packed;
  const dir = join(work, 'pnpm');
  mkdirSync(dir);
  cpSync(join(consumer, 'package.pnpm.json'), join(dir, 'package.json'));
  // file: tarballs: pnpm resolves @ptr/core's "@ptr/native": "0.1.0" through the overrides;
  // allowBuilds names a file: dependency by its full spec (a registry install: '@ptr/native': true).
  writeFileSync(
    join(dir, 'pnpm-workspace.yaml'),
    [
      // pnpm would otherwise reuse the build of an identical tarball from its store (side-effects cache)
      'sideEffectsCache: false',
      'allowBuilds:',
      `  '@ptr/native@file:../packs/ptr-native-0.1.0.tgz': true`,
      'overrides:',
      ...names.map((n) => `  '@ptr/${n}': file:${tarball(n)}`),
      '',
    ].join('\n'),
  );
  const { stdout } = await run('npx', [...PNPM, 'install', '--prefer-offline'], dir, cleanEnv({ PTR_BUILD_FROM_SOURCE: '1' }));
  t.regex(stdout, /CXX\(target\)|SOLINK_MODULE/, 'node-gyp compiled the addon');
  t.notRegex(stdout, /gyp http|downloading/i, 'no header download');
  const native = join(dir, 'node_modules/@ptr/native');
  t.true(existsSync(join(native, 'build/Release/ptr_native.node')));
  report(t, await checkAndRun(dir, cleanEnv()));
  // the heap map as a preload, through the package's "./heap-map" export
  await run(process.execPath, ['--import', '@ptr/native/heap-map', 'dist/main.mjs'], dir, cleanEnv({ PTR_HEAP_MAP: 'heap.svg' }));
  t.regex(readFileSync(join(dir, 'heap.svg'), 'utf8'), /^<\?xml[^]*<svg[^]*<\/svg>\s*$/);
});

test('the consumer fixture reads the published entry points only', (t) => {
  const main = readFileSync(join(consumer, 'src/main.mts'), 'utf8');
  t.notRegex(main, /packages\/|\.\.\/\.\./);
});
