// Values of the untyped move/deref rows of the core group.
import v8 from 'node:v8';

/**
 * A plain object whose v8.serialize form is about `bytes` long (1 KiB by
 * default): the kind of record a program passes around (numbers, strings, a
 * nested object, an array of numbers), not one big string or typed array.
 */
export function recordOfAbout(bytes = 1024) {
  const make = (n) => ({
    id: 4242,
    name: 'particle-system-7',
    active: true,
    tags: ['alpha', 'beta', 'gamma', 'delta'],
    origin: { x: 1.5, y: -2.25, z: 3.125 },
    samples: Array.from({ length: n }, (_, i) => i * 1.25 + 0.1),
  });
  let n = 0;
  while (v8.serialize(make(n + 1)).length <= bytes) n++;
  const value = make(n);
  return { value, serializedBytes: v8.serialize(value).length };
}
