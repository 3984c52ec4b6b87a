/**
 * The log of the job whose log view is open: its last LOG_WINDOW bytes, read again twice a
 * second while the job runs (the view follows it) and once more when it has finished. A huge
 * log is never read whole: what scrolls is that window.
 */
import { useEffect, useRef, useState } from 'react';
import { FINISHED_STATES, jobLogTail } from '../../src/api/jobs.js';
import type { Spool } from '../../src/api/spool.js';

export const LOG_WINDOW = 256 * 1024;
const FOLLOW_MS = 500;

export interface JobLog {
  job?: string;
  state?: string;
  lines: string[];
  /** The window starts after the log's start: older lines are not shown. */
  cut: boolean;
  error?: string;
}

const EMPTY: JobLog = { lines: [], cut: false };

function read(s: Spool, id: string): JobLog & { end: number } {
  try {
    const tail = jobLogTail(s, id, LOG_WINDOW);
    const text = tail.data.toString('utf8').replace(/\n$/, '');
    return { job: id, state: tail.job.state, lines: text ? text.split('\n') : [], cut: tail.start > 0, end: tail.end };
  } catch (err) {
    return { job: id, lines: [], cut: false, error: (err as Error).message, end: -1 };
  }
}

export function useJobLog(s: Spool, id: string | undefined): JobLog {
  const [log, setLog] = useState<JobLog>(EMPTY);
  // The interval compares each read with the one before, which this ref holds.
  const last = useRef<ReturnType<typeof read> | undefined>(undefined);
  useEffect(() => {
    if (id === undefined) return undefined;
    last.current = read(s, id);
    setLog(last.current);
    const finished = () => FINISHED_STATES.includes(last.current?.state ?? '');
    const timer = setInterval(() => {
      const next = read(s, id);
      // An unchanged log and state draw nothing new.
      const prev = last.current;
      if (next.end !== prev?.end || next.state !== prev.state || next.error !== prev.error) setLog(next);
      last.current = next;
      if (finished()) clearInterval(timer);
    }, FOLLOW_MS);
    if (finished()) clearInterval(timer);
    return () => clearInterval(timer);
  }, [s, id]);
  return log.job === id ? log : EMPTY;
}
