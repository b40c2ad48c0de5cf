// child_process IPC cost of the message collector's IPC hook (runtime/hooks/ipc-hook.ts): round
// trips parent → child → parent, bare vs both processes under -r sonde/register with
// SONDE_COLLECT=messages (the hook stamps every send with one extra internal message and pairs
// it on the other side). Alternating runs, ROUNDS pairs, medians; reports µs per round trip and
// the added cost per message (half a round trip).
// Run: node --import tsx bench/collectors-ipc.ts   (ROUNDS=5)
import { spawnSync } from 'node:child_process'
import os from 'node:os'
import path from 'node:path'

const root = path.resolve(__dirname, '..')
const app = path.join(__dirname, 'apps/ipc-pingpong.js')
const ROUNDS = Number(process.env.ROUNDS || 5)

function run(sonde: boolean): number {
  const args = sonde ? ['-r', path.join(root, 'dist/register.js'), app] : [app]
  const r = spawnSync(process.execPath, args, { env: { ...process.env, SONDE_COLLECT: sonde ? 'messages' : 'none' }, encoding: 'utf8', timeout: 120_000 })
  return JSON.parse(r.stdout).roundTripUs
}

const bare: number[] = [], sonde: number[] = []
const loadBefore = os.loadavg()
for (let i = 0; i < ROUNDS; i++) {
  if (i % 2) { sonde.push(run(true)); bare.push(run(false)) } else { bare.push(run(false)); sonde.push(run(true)) }
}
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1]
const b = median(bare), s = median(sonde)
process.stdout.write(JSON.stringify({
  bench: 'collectors-ipc', rounds: ROUNDS, loadavgBefore: loadBefore.map((x) => +x.toFixed(2)), loadavgAfter: os.loadavg().map((x) => +x.toFixed(2)),
  roundTripUsMedian: { bare: b, sonde: s }, addedPerMessageUs: +((s - b) / 2).toFixed(2), bare, sonde,
}) + '\n')
