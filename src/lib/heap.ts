// Old-space limits of the production processes, as package.json, the Dockerfile and compose start
// them (they cannot import this; keep them in step). With V8's default sizing their heaps fill
// with garbage (the worker's ingest reached 420 MB of RSS on a live heap under 100 MB); a limit
// makes V8 collect before that.

/** Old-space limit (MB) of each process the main job forks, by name. */
export const HEAP_MB = { api: 256, worker: 192 } as const;

/** Node's flag for a process's limit. */
export function heapFlag(name: keyof typeof HEAP_MB): string {
  return `--max-old-space-size=${HEAP_MB[name]}`;
}
