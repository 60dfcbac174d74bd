/**
 * `background` jobs: host programs started without waiting, with minimega's ids (from 1), status table
 * and captured output. At most BACKGROUND_MAX entries are kept: starting one more forgets the finished
 * ones that ended first (minimega's flushOldBackgroundStatus).
 */
import type { ProgramResult } from './host.js';
import { exitError } from './host.js';

export const BACKGROUND_MAX = 50;

export interface BackgroundJob {
  id: number;
  pid: number;
  running: boolean;
  /** Go's error text of the finished process (`exit status 1`), '' for success. */
  error: string;
  start: Date;
  end?: Date;
  /** exec.Cmd.String(): the looked-up path and the arguments. */
  command: string;
  stdout: string;
  stderr: string;
}

/** minimega's header for `background-status`. */
export const BACKGROUND_HEADER = ['ID', 'PID', 'RUNNING', 'ERROR', 'TIME_START', 'TIME_END', 'COMMAND'];

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Go's time.Format("Jan 02 15:04:05 MST") in UTC, the zone a daemon without TZ reports. */
export function goStamp(d: Date | undefined): string {
  // Go formats the zero time.Time for a job that has not ended.
  if (!d) return 'Jan 01 00:00:00 UTC';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC`;
}

export class BackgroundJobs {
  private readonly jobs = new Map<number, BackgroundJob>();
  private nextId = 1;

  /** Register a started process; returns its id. */
  add(pid: number, command: string): BackgroundJob {
    this.trim();
    const job: BackgroundJob = { id: this.nextId++, pid, running: true, error: '', start: new Date(), command, stdout: '', stderr: '' };
    this.jobs.set(job.id, job);
    return job;
  }

  finish(job: BackgroundJob, r: ProgramResult): void {
    job.running = false;
    job.error = exitError(r);
    job.end = new Date();
    job.stdout = r.stdout;
    job.stderr = r.stderr;
  }

  get(id: number): BackgroundJob | undefined {
    return this.jobs.get(id);
  }

  all(): BackgroundJob[] {
    return [...this.jobs.values()];
  }

  /** `clear background-status`: forget finished jobs; returns how many. */
  clearFinished(): number {
    let n = 0;
    for (const [id, j] of this.jobs) {
      if (!j.running) {
        this.jobs.delete(id);
        n++;
      }
    }
    return n;
  }

  private trim(): void {
    if (this.jobs.size < BACKGROUND_MAX) return;
    const done = [...this.jobs.values()].filter((j) => !j.running).sort((a, b) => a.end!.getTime() - b.end!.getTime());
    for (const j of done) {
      if (this.jobs.size <= BACKGROUND_MAX) break;
      this.jobs.delete(j.id);
    }
  }
}

/** One row of `background-status`. */
export function jobRow(j: BackgroundJob): string[] {
  return [String(j.id), String(j.pid), String(j.running), j.error, goStamp(j.start), j.running ? goStamp(undefined) : goStamp(j.end), j.command];
}
