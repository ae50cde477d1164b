/**
 * The API reference builds from the TSDoc (docs/typedoc.json, warnings are
 * errors: broken {@link}s, unknown tags, undocumented-but-referenced types) and
 * has the pages users look for. typedoc lives in the private workspace package
 * docs/ (with TypeScript 6.0, whose JS API it needs).
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const docs = fileURLToPath(new URL('../../docs/', import.meta.url));
const typedoc = join(docs, 'node_modules/typedoc/bin/typedoc');

test('typedoc builds the API reference with no warnings; the pages of each package are there', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'ptr-api-'));
  try {
    await new Promise<void>((resolve, reject) =>
      execFile(process.execPath, [typedoc, '--options', 'typedoc.json', '--out', out], { cwd: docs, timeout: 110_000 }, (e, stdout, stderr) =>
        e ? reject(new Error(`typedoc failed: ${e.message}\n${stdout}\n${stderr}`)) : resolve(),
      ),
    );
    for (const page of [
      'index.html',
      'modules/_ptr_native.html',
      'modules/_ptr_core.html',
      'modules/_ptr_worker.html',
      'variables/_ptr_native.heap.html',
      'functions/_ptr_core.malloc.html',
      'functions/_ptr_core.memcpy.html',
      'functions/_ptr_core.strncpy.html',
      'classes/_ptr_core.AllocatedPointer.html',
      'classes/_ptr_core.OutOfBoundsError.html',
      'functions/_ptr_worker.createPool.html',
    ]) {
      t.true(existsSync(join(out, page)), page);
    }
    const memcpy = readFileSync(join(out, 'functions/_ptr_core.memcpy.html'), 'utf8');
    t.regex(memcpy, /OutOfBoundsError/);
    t.regex(memcpy, /packages\/core\/src\/libc\.ts/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
