// The @ptr packages as built in this checkout (`pnpm run build` makes dist/).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT_DIR } from './proc.mjs';

/** file: URL of a workspace package's built entry, e.g. ptrEntry('native'). */
export function ptrEntry(pkg) {
  const file = join(ROOT_DIR, 'packages', pkg, 'dist', 'index.js');
  if (!existsSync(file)) throw new Error(`@ptr/${pkg} is not built (${file} missing): run \`pnpm run build\``);
  return pathToFileURL(file).href;
}

/** import('@ptr/<pkg>') from this checkout. */
export function importPtr(pkg) {
  return import(ptrEntry(pkg));
}
