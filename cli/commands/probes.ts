// `sonde probes [--pid PID] [--json]`: the probe catalogue with the addon's path and a
// ready-to-paste bpftrace line per probe; with --pid, the probes that process has (static
// addon and dynamic providers, read from its mapped objects' ELF notes) and which are enabled
// now (semaphores read through /proc/PID/mem). Exit 2 with one line for a dead PID, a process
// we may not inspect, or one without sonde probes.
import { staticProbes, type ProbeSpec, type ArgType } from '../../probes/catalogue'
import { UsageError } from '../usage-error'
import { parseFlags, usageError } from '../flags'

export const summary = 'the probe catalogue and bpftrace lines; --pid PID: probes live in that process and which are enabled'

interface AddonStatus { loaded: boolean; path: string; error?: string }

function addonStatus(): AddonStatus {
  try { return (require('../../probes/addon') as { addonStatus(): AddonStatus }).addonStatus() } catch (e) {
    return { loaded: false, path: '(unknown)', error: (e as Error).message.split('\n')[0] }
  }
}

/** Can this process load a dynamic provider? Loads a one-probe provider and unloads it. */
function dynamicStatus(): { ok: boolean; mode?: string; error?: string } {
  try {
    const { createProvider } = require('../../probes/dynamic/provider') as typeof import('../../probes/dynamic/provider')
    const p = createProvider('sonde_selfcheck')
    p.probe('check', ['i32'])
    p.enable()
    const objs = p.objects
    const out = objs.length ? { ok: true, mode: objs[0].mode } : { ok: false, error: p.error ?? 'not loaded' }
    p.dispose()
    return out
  } catch (e) { return { ok: false, error: (e as Error).message } }
}

const FORMAT: Record<ArgType, string> = {
  i8: '%d', i16: '%d', i32: '%d', i64: '%ld', u8: '%u', u16: '%u', u32: '%u', u64: '%lu', bool: '%u', string: '%s', ptr: '0x%lx',
}

/** bpftrace 0.17 names only arg0-arg5 on x86-64; later args are left out of the one-liner. */
export function bpftraceLine(spec: Pick<ProbeSpec, 'provider' | 'name' | 'args'>, target: string, pid = 'PID'): string {
  const args = spec.args.slice(0, 6)
  const fmt = args.map((a) => `${a.name}=${FORMAT[a.type]}`).join(' ')
  const vals = args.map((a, i) => (a.type === 'string' ? `str(arg${i})` : `arg${i}`))
  const body = args.length ? `printf("${spec.name} ${fmt}\\n", ${vals.join(', ')});` : `printf("${spec.name}\\n");`
  return `bpftrace -p ${pid} -e 'usdt:${target}:${spec.provider}:${spec.name} { ${body} }'`
}

export const help = `usage: sonde probes [--pid PID] [--json]
  (no flag)   the probe catalogue: every static probe, its arguments and a bpftrace line
  --pid PID   the probes live in that process (sonde's addon and its user providers) and
              which are enabled now
  --json      the same as JSON
  -h, --help  this help`

export const options = { pid: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const

function parse(argv: string[]): { pid: number | null; json: boolean; help: boolean } {
  const { values: v, positionals } = parseFlags('probes', argv, options)
  if (positionals.length) throw usageError('probes', `unexpected argument '${positionals[0]}'`)
  let pid: number | null = null
  if (v.pid !== undefined) {
    if (!/^\d+$/.test(v.pid) || Number(v.pid) <= 0) throw usageError('probes', `--pid needs a process id, got ${JSON.stringify(v.pid)}`)
    pid = Number(v.pid)
  }
  return { pid, json: v.json === true, help: v.help === true }
}

function catalogue(json: boolean): number {
  const addon = addonStatus()
  const dyn = dynamicStatus()
  const probes = staticProbes.map((p) => ({ ...p, bpftrace: bpftraceLine(p, addon.path) }))
  if (json) {
    process.stdout.write(JSON.stringify({ addon, dynamic: dyn, probes }, null, 2) + '\n')
    return 0
  }
  const out: string[] = []
  out.push(addon.loaded ? `addon: ${addon.path}` : `addon: NOT LOADED${addon.path ? ` (${addon.path})` : ''}: ${addon.error ?? 'unknown reason'} — probes are no-op stubs`)
  out.push(dyn.ok ? `dynamic providers: available (${dyn.mode})` : `dynamic providers: UNAVAILABLE: ${dyn.error}`)
  for (const p of probes) {
    out.push('', `${p.provider}:${p.name}  [${p.stability}]  ${p.description}`)
    p.args.forEach((a, i) => out.push(`  arg${i} ${a.name}: ${a.type}${a.unit ? ` (${a.unit})` : ''}  ${a.description}`))
    out.push(`  ${p.bpftrace}`)
  }
  out.push('', 'Dynamic providers (createProvider) appear per process: sonde probes --pid PID.', '')
  process.stdout.write(out.join('\n'))
  return 0
}

/** A one-liner for a probe known only from its note: signed/unsigned from the arg spec sizes. */
function liveBpftraceLine(pid: number, target: string, provider: string, name: string, args: string): string {
  const specs = args ? args.split(' ').slice(0, 6) : []
  const fmt = specs.map((a) => (a.startsWith('-') ? '%ld' : '%lu')).join(' ')
  const body = specs.length ? `printf("${name} ${fmt}\\n", ${specs.map((_, i) => `arg${i}`).join(', ')});` : `printf("${name}\\n");`
  return `bpftrace -p ${pid} -e 'usdt:${target}:${provider}:${name} { ${body} }'`
}

function live(pid: number, json: boolean): number {
  const { readProcessProbes, ProcProbesError } = require('../../inspect/proc-probes') as typeof import('../../inspect/proc-probes')
  let objects
  try { objects = readProcessProbes(pid) } catch (e) {
    if (e instanceof ProcProbesError) throw new UsageError(e.message)
    throw e
  }
  const sonde = objects.filter((o) => o.kind !== 'other')
  if (json) {
    process.stdout.write(JSON.stringify({ pid, objects: sonde }, null, 2) + '\n')
    return 0
  }
  const out: string[] = [`process ${pid}`]
  for (const o of sonde) {
    out.push('', `${o.kind}: ${o.path}${o.attachPath !== o.path ? `  (attach by ${o.attachPath})` : ''}`)
    for (const p of o.probes) {
      const state = p.semaphore === null ? (p.semaphoreAddr === null ? 'no semaphore' : 'semaphore unreadable') : p.enabled ? `ENABLED (${p.semaphore})` : 'disabled'
      out.push(`  ${`${p.provider}:${p.name}`.padEnd(36)} ${state.padEnd(14)} ${p.args}`)
      if (o.kind !== 'addon') out.push(`    ${liveBpftraceLine(pid, o.attachPath, p.provider, p.name, p.args)}`)
    }
    const first = o.probes[0]
    if (first && o.kind === 'addon') out.push(`  e.g. bpftrace -p ${pid} -e 'usdt:${o.attachPath}:${first.provider}:${first.name} { @[probe] = count(); }'`)
  }
  process.stdout.write(out.join('\n') + '\n')
  return 0
}

export async function run(argv: string[]): Promise<number> {
  const { pid, json, help: wantsHelp } = parse(argv)
  if (wantsHelp) { process.stdout.write(help + '\n'); return 0 }
  return pid === null ? catalogue(json) : live(pid, json)
}
