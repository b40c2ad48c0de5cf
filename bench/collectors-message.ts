// Message collector cost: ns added per message (one send + one receive event through
// messageEvents) with the collector subscribed vs the same emits with nobody listening
// (hooks skip building events then, so this is an upper bound). Medians of 7 runs, one process.
// Run: node --import tsx bench/collectors-message.ts
import { messageEvents, MessageEvent } from '../runtime/runtime-events'
import { createMessageCollector } from '../collectors/message-latency'

const N = 1_000_000
const send: MessageEvent = { phase: 'send', channelId: 3, seq: 0, bytes: -1, direction: 'parent->worker', threadId: 0 }
const recv: MessageEvent = { phase: 'receive', channelId: 3, seq: 0, bytes: -1, latencyNs: 13_000, direction: 'parent->worker', threadId: 1 }
function run(): number {
  const t0 = process.hrtime.bigint()
  for (let i = 0; i < N; i++) { recv.latencyNs = 10_000 + (i & 1023) * 10; messageEvents.emit(send); messageEvents.emit(recv) }
  return Number(process.hrtime.bigint() - t0) / N
}
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1]
const off: number[] = [], on: number[] = []
const c = createMessageCollector()
for (let r = 0; r < 7; r++) {
  off.push(run())
  c.start(); on.push(run()); c.stop()
}
const a = median(off), b = median(on)
process.stdout.write(JSON.stringify({ bench: 'message-collector', perMessageNs: { noListener: +a.toFixed(1), collector: +b.toFixed(1), added: +(b - a).toFixed(1) } }) + '\n')
