/**
 * piscina's `filename` for every worker. piscina loads it with require() first;
 * a CommonJS file keeps that path plain (with a CommonJS hook such as tsx's in
 * the worker, require() of the ESM worker.js would be transpiled and evaluated
 * a second time, loading @ptr/native twice). The handler is worker.js's default
 * export; piscina awaits this Promise once, at worker start.
 */
import type * as Worker from './worker.js';

const handler: Promise<typeof Worker.default> = import('./worker.js').then((m) => m.default);
export default handler;
