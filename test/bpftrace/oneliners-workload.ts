// Test support: the known workload (test/fixtures/oneliners/workload.js) in a real
// `node -r <abs>/dist/register.js` child with the function tracer and the --stacks flags,
// and a way to run one library one-liner against it around exactly one batch.
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { runOneLiner, type TraceResult } from '../../bpftrace/bridge'
import { STACK_FLAGS } from '../../cli/commands/run'  // the flags `sonde run --stacks` gives node

const root = path.resolve(__dirname, '..', '..')
const dist = path.join(root, 'dist')

export interface Workload {
  pid: number
  child: ChildProcess
  /** Run one batch; resolves with its ground truth. */
  batch(): Promise<any>
  close(): Promise<void>
}

export function startWorkload(): Promise<Workload> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sonde-ol-'))
  const traceOut = path.join(dir, 'w.trace')
  const removeDir = () => fs.rmSync(dir, { recursive: true, force: true })
  const child = spawn(process.execPath, ['--expose-gc', ...STACK_FLAGS, '-r', path.join(dist, 'register.js'), '-r', path.join(dist, 'tracer', 'preload.js'),
    path.join(root, 'test', 'fixtures', 'oneliners', 'workload.js')], {
    // every default collector; the allocation sampler at 128 KiB without a rate cap: at the
    // defaults (512 KiB, doubled while over 100 samples/s, which blockTheLoop's ~220 MB/s of
    // heap numbers drives to 2 MB for seconds) allocateLots's 12 MB rests on 6-24 samples, and
    // came out at 4.2 MB once; at 128 KiB it rests on ~94
    env: { ...process.env, SONDE_DIST: dist, SONDE_TRACE: '**/oneliners/workload.js', SONDE_TRACE_OUT: traceOut, SONDE_COLLECT: 'default,alloc-interval=131072,alloc-max-rate=0' },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr!.setEncoding('utf8')
  child.stderr!.on('data', (d) => { if (stderr.length < 8192) stderr += d })
  const waiting: ((line: string) => void)[] = []
  let buf = ''
  child.stdout!.setEncoding('utf8')
  child.stdout!.on('data', (d: string) => {
    buf += d
    let i
    while ((i = buf.indexOf('\n')) >= 0) { const l = buf.slice(0, i); buf = buf.slice(i + 1); waiting.shift()?.(l) }
  })
  const nextLine = (): Promise<string> => new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`workload silent; stderr: ${stderr}`)), 30_000)
    waiting.push((l) => { clearTimeout(t); resolve(l) })
  })
  return nextLine().then((ready) => {
    if (!ready.startsWith('READY ')) throw new Error(`workload: ${ready} ${stderr}`)
    const { pid } = JSON.parse(ready.slice(6))
    return {
      pid, child,
      async batch() {
        child.stdin!.write('go\n')
        const l = await nextLine()
        if (!l.startsWith('DONE ')) throw new Error(`workload batch: ${l} ${stderr}`)
        return JSON.parse(l.slice(5))
      },
      // the trace file is written until the child exits, so its directory goes only then
      // (a child that has already exited gets no 'exit' event again: done at once)
      close: () => new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) { removeDir(); resolve(); return }
        child.on('exit', () => { removeDir(); resolve() })
        child.stdin!.write('exit\n')
      }),
    }
  }).catch((e) => { removeDir(); throw e })
}

export interface OneLinerRun { result: TraceResult; truth: any; elapsedMs: number }

/**
 * Attach the one-liner, run one batch once its BEGIN handshake printed (every probe attached), stop
 * no earlier than `minAttachedMs` after the handshake (a one-liner printing every second needs
 * two seconds attached to print twice, whatever the batch took).
 */
export async function traceBatch(w: Workload, name: string, provider?: string, minAttachedMs = 0): Promise<OneLinerRun> {
  const t0 = Date.now()
  let ready!: () => void
  const isReady = new Promise<void>((r) => { ready = r })
  const run = runOneLiner(name, w.pid, { provider, onReady: () => ready(), durationS: 60 })
  const failed = run.result.then((r) => { throw new Error(`${name}: bpftrace exited before its READY handshake: ${r.stderr}`) })
  let truth: any
  try {
    await Promise.race([isReady, failed])
    const readyAt = Date.now()
    await new Promise((r) => setTimeout(r, 500)) // sonde's hook gates poll the semaphores every 250 ms
    truth = await w.batch()
    await new Promise((r) => setTimeout(r, Math.max(300, minAttachedMs - (Date.now() - readyAt)))) // let the last perf-buffer events drain
  } finally { run.stop() } // a failed batch must not leave bpftrace attached for the next one-liner
  const result = await run.result
  return { result, truth, elapsedMs: Date.now() - t0 }
}
