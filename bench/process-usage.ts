/**
 * What a process and its children (a node's esbuild service, say) cost the machine, read from
 * /proc (Linux): CPU seconds and RSS. Kernel accounting, so it holds on a shared machine.
 */
import { readdirSync, readFileSync } from 'node:fs'

const TICKS = 100 // USER_HZ on Linux

/** A process and its children (a node's esbuild service, say): what the node costs the machine. */
function family(pid: number): number[] {
  try {
    const children = readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
    )
    return [pid, ...children.flatMap(family)]
  } catch {
    return [pid]
  }
}

/** CPU seconds (user + system) a process and its children have used, or NaN once it is gone. */
export function cpuSeconds(pid: number): number {
  let seconds = 0
  for (const member of family(pid)) {
    try {
      const fields = readFileSync(`/proc/${member}/stat`, 'utf8').split(') ')[1]!.split(' ')
      seconds += (Number(fields[11]) + Number(fields[12])) / TICKS
    } catch {
      if (member === pid) return Number.NaN
    }
  }
  return seconds
}

/** The sum of `read(member)` (kB) over a process and its children, MiB; NaN once it is gone. */
function sumMiB(pid: number, read: (member: number) => number): number {
  let kB = 0
  for (const member of family(pid)) {
    try {
      kB += read(member)
    } catch {
      if (member === pid) return Number.NaN
    }
  }
  return kB / 1024
}

/** RSS of a process and its children, MiB. */
export function rssMiB(pid: number): number {
  return sumMiB(pid, (member) => {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${member}/status`, 'utf8'))
    return Number(match?.[1] ?? 0)
  })
}

/**
 * Private memory (USS) of a process and its children, MiB: the RSS less the pages it shares with
 * other processes, chiefly the Node executable's code (≈ 55 MiB of a node's RSS, held once
 * however many nodes run). What one more node process costs the machine.
 */
export function privateMiB(pid: number): number {
  return sumMiB(pid, (member) => {
    const rollup = readFileSync(`/proc/${member}/smaps_rollup`, 'utf8')
    let kB = 0
    for (const match of rollup.matchAll(/^Private_(?:Clean|Dirty):\s+(\d+) kB/gm)) kB += Number(match[1])
    return kB
  })
}
