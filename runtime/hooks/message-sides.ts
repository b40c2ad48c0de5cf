// Which MessagePort objects of this thread sonde tracks, and their channel identity.
// A "side" is one end of a channel as seen by the thread that holds it: the channel id and the
// registry dirs it sends on and receives from. Only ports the application can reach are
// tracked — ends of a MessageChannel created after sonde loaded, the Worker's public port in
// the parent, parentPort in a worker, and tracked ports transferred inside a message — never
// Node's internal ports (stdio, LOAD_SCRIPT), whose traffic would skew the FIFO counting.
import { isMainThread, parentPort, threadId, type MessagePort } from 'node:worker_threads'
import { messageRegistry, type MessageRegistry, type PortIdentity } from './message-registry'

export interface PortSide extends PortIdentity {
  /** Sequence counters used when the side got no registry dir (pool exhausted). */
  sendLocal: number
  recvLocal: number
  sendDirection: string
  recvDirection: string
  /** Releases its dirs on 'close' / GC (MessageChannel ends); Worker pairs release on 'exit'. */
  owned: boolean
  released: boolean
  transferred: boolean
}

/** How long a worker waits for its parent to publish the Worker/parentPort channel. */
const PARENT_WAIT_MS = 200

export class PortSides {
  private readonly sides = new WeakMap<object, PortSide>()
  private lazyParent: MessagePort | null
  private readonly finalizer: FinalizationRegistry<PortSide>

  constructor(readonly registry: MessageRegistry = messageRegistry(), private readonly inherited = !isMainThread) {
    this.lazyParent = isMainThread ? null : parentPort
    this.finalizer = new FinalizationRegistry((side) => this.release(side))
  }

  get(port: object): PortSide | undefined {
    const s = this.sides.get(port)
    if (s !== undefined || port !== this.lazyParent) return s
    return this.resolveParent(port)
  }

  /** parentPort is resolved on first use: by then the parent has published the pair (or soon will). */
  private resolveParent(port: object): PortSide {
    this.lazyParent = null
    const id = this.registry.lookupWorker(threadId, this.inherited ? PARENT_WAIT_MS : 0)
      ?? { channelId: this.registry.newChannelId(), sendDir: -1, recvDir: -1 }
    const side = makeSide(id, 'worker->parent', 'parent->worker', false)
    this.sides.set(port, side)
    return side
  }

  /** Both ends of a new MessageChannel: two dirs, each owned by both ends. */
  markChannel(port1: object, port2: object): void {
    const r = this.registry
    const channelId = r.newChannelId()
    const a = r.allocDir(2), b = r.allocDir(2)
    this.adopt(port1, { channelId, sendDir: a, recvDir: b })
    this.adopt(port2, { channelId, sendDir: b, recvDir: a })
  }

  /** A tracked end arriving in this thread (new channel or transferred in a message). */
  adopt(port: object, id: PortIdentity): void {
    const side = makeSide(id, 'port', 'port', true)
    this.sides.set(port, side)
    this.finalizer.register(port, side, side)
  }

  /** The parent's end of a new Worker's public channel; the worker finds it by its threadId. */
  markWorker(publicPort: object, workerThreadId: number): PortSide {
    const r = this.registry
    const channelId = r.newChannelId()
    const down = r.allocDir(1), up = r.allocDir(1)
    r.publishWorker(workerThreadId, channelId, down, up)
    const side = makeSide({ channelId, sendDir: down, recvDir: up }, 'parent->worker', 'worker->parent', false)
    this.sides.set(publicPort, side)
    return side
  }

  /** A tracked end leaves this thread inside a message: the receiver adopts it, we must not release it. */
  transferOut(side: PortSide): void {
    side.transferred = true
    this.finalizer.unregister(side)
  }

  /** Gives a side's dirs back; Worker pairs (not owned) only when `force`d by the worker's exit. */
  release(side: PortSide, force = false): void {
    if (side.released || side.transferred || (!side.owned && !force)) return
    side.released = true
    this.registry.releaseDir(side.sendDir)
    this.registry.releaseDir(side.recvDir)
  }
}

function makeSide(id: PortIdentity, sendDirection: string, recvDirection: string, owned: boolean): PortSide {
  return { ...id, sendLocal: 0, recvLocal: 0, sendDirection, recvDirection, owned, released: false, transferred: false }
}
