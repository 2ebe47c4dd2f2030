// CPU time as Linux's /proc counts it (clock ticks of 10 ms), for the benches' per-process,
// per-thread and whole-machine figures. Off Linux each reader gives NaN or undefined.
import { readFileSync } from 'node:fs';

/** CPU ms (user + system) of the task whose `stat` file is `path`, or NaN when it cannot be read. */
export function statCpuMs(path) {
  try {
    const stat = readFileSync(path, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/** CPU ms a process has used, all its threads. */
export const processCpuMs = (pid) => statCpuMs(`/proc/${pid}/stat`);

/**
 * The machine's CPU time (all processes, ms) and its whole time as /proc/stat counts it, or
 * undefined off Linux: busy is everything but idle and iowait.
 */
export function machineCpu() {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
    const total = ticks.reduce((a, b) => a + b, 0);
    return { busyMs: (total - idle) * 10, totalMs: total * 10 };
  } catch {
    return undefined;
  }
}
