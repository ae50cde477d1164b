// The main demo (`pnpm demo`). For now: main and two workers share heap memory.
await import('./heap-sharing.mjs');
