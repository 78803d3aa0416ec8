/**
 * How every engine process starts, forked or as Electron's utility process. UV_THREADPOOL_SIZE=1 must be
 * in place before the process starts: node-llama-cpp decodes on the libuv pool, and a pool of four puts
 * ggml's per-token helper thread on a busy core (34 → 49 tok/s measured on 2 cores). One malloc arena
 * and a 1 MB young generation keep the process's own memory small beside the model (1.1B model at one
 * sequence: 1,260 → 1,219 MB RSS, against llama-bench's 1,137): glibc gives each thread that allocates
 * an arena of its own, and V8 grows its young generation to 16 MB semispaces, for a process whose
 * JavaScript allocates little.
 */
export const ENGINE_ENV = { UV_THREADPOOL_SIZE: '1', MALLOC_ARENA_MAX: '1' } as const

/** See `ENGINE_ENV`. */
export const ENGINE_EXEC_ARGV: readonly string[] = ['--max-semi-space-size=1']
