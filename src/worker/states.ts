/**
 * The worker's states and the transitions between them (./worker.ts runs them):
 *
 *   starting ──> idle <──> running <──> stopping ──> handing_back
 *      │          │           │            │              │
 *      └──────────┴───────────┴────────────┴──────────────┴──> gone
 *
 * - idle: waits for a claim (the slot directory is watched, and scanned on every tick);
 * - running: one claim's attempt runs (./attempt.ts);
 * - stopping: asked to stop (a signal, the drain marker, the slot lock lost), it finishes the
 *   running job and takes no more; a signal also starts worker.stop_timeout_ms, after which
 *   (or at a second signal) it hands the job back. A drain cancelled (`workers undrain`)
 *   before the job ends goes back to running;
 * - handing_back: the plugin is being stopped; the job goes back to pending/ uncounted;
 * - gone: the slot is released (unless another worker now holds it) and the exit code set.
 */
export type WorkerState = 'starting' | 'idle' | 'running' | 'stopping' | 'handing_back' | 'gone';

/** Every transition a worker may make; anything else is a bug. */
export const NEXT: Record<WorkerState, readonly WorkerState[]> = {
  starting: ['idle', 'gone'],
  idle: ['running', 'gone'],
  running: ['idle', 'stopping', 'gone'],
  stopping: ['running', 'handing_back', 'gone'],
  handing_back: ['gone'],
  gone: [],
};

/** The heartbeat's word for each state: the sentinel sends nothing to a draining slot. */
export const SHOWN = {
  starting: 'idle',
  idle: 'idle',
  running: 'busy',
  stopping: 'draining',
  handing_back: 'draining',
  gone: 'draining',
} as const;

/** Why the worker is to stop, and the exit code that gives. */
export interface StopCause {
  code: number;
  why: string;
}
