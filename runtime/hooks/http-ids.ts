// Ids and start times of the HTTP requests in flight, for the HTTP hook (http-hook.ts), per
// thread. A server request's id is held by its connection's socket (two symbol properties, with
// the request, so the finish can tell it is this request's): nothing is added to the request
// object, whose hidden class express changes on every request, so a property added there costs
// a map transition and a longer descriptor array to copy at each of express's own changes, and
// reading it back costs a generic lookup. Node finishes a connection's requests in the order
// they started; a pipelined request, whose socket still holds an earlier one in flight, carries
// its id itself, as a client request does. Start time and method go into rings indexed by id
// (the method read at start, where every request still has Node's own hidden class). A request
// still in flight when SLOTS newer ones have started loses its slot: its finish is ignored and
// counted (`lostStarts`).

/** In-flight requests whose start time is kept (per thread); older ones lose their slot. */
const SLOTS = 8192
const MASK = SLOTS - 1
const kId = Symbol('sonde.http.requestId')
const kSocketRequest = Symbol('sonde.http.socketRequest')
const kSocketId = Symbol('sonde.http.socketRequestId')
type Tagged = { [kId]?: number }
export type SocketTagged = { [kSocketRequest]?: object | null; [kSocketId]?: number }

let nextId = 0
// Allocated at the first request, not at load: a program that serves no HTTP does not carry them.
let slotId = new Float64Array(0)
let slotStartNs = new Float64Array(0)
let slotMethod: (string | undefined)[] = []
let lostStarts = 0

/**
 * A property of a request or response the app has had: Reflect.get, V8's generic lookup, not an
 * inline cache, which misses into the runtime on every request under express (http-hook.ts).
 */
export function late(o: object, key: string | symbol): unknown { return Reflect.get(o, key) }

/** A new id with its start time (and method) in its slot. */
export function begin(now: number, method: string | undefined): number {
  if (slotId.length === 0) {
    slotId = new Float64Array(SLOTS).fill(-1)
    slotStartNs = new Float64Array(SLOTS)
    slotMethod = new Array<string | undefined>(SLOTS).fill(undefined)
  }
  const id = ++nextId
  const slot = id & MASK
  slotId[slot] = id
  slotStartNs[slot] = now
  slotMethod[slot] = method
  return id
}

/** The method a request started with (valid until SLOTS newer ones have started). */
export function methodOf(id: number): string | undefined { return slotMethod[id & MASK] }

/** `o` carries `id` itself (a client request, a pipelined server request, a measured response). */
export function tag(o: object, id: number): void { (o as Tagged)[kId] = id }

/** The id `o` carries (undefined: none). */
export function tagOf(o: object): unknown { return late(o, kId) }

/** The socket holds the id of its request in flight; a pipelined request (the socket holds one still in flight) carries its own. */
export function holdId(socket: SocketTagged | null | undefined, request: object, id: number): void {
  if (socket == null) { tag(request, id); return }
  const held = socket[kSocketId]
  if (socket[kSocketRequest] == null || held === undefined || slotId[held & MASK] !== held) { socket[kSocketRequest] = request; socket[kSocketId] = id }
  else tag(request, id)
}

/** The id of a finishing server request (undefined: it started while the hook was off). */
export function takeId(socket: SocketTagged | null | undefined, request: object): number {
  if (socket != null && socket[kSocketRequest] === request) { socket[kSocketRequest] = null; return socket[kSocketId] as number }
  return late(request, kId) as number
}

/** Start time of the request with this id (and frees its slot), or -1 when unknown (undefined id: it started while the hook was off). */
export function takeStart(id: number): number {
  if (id === undefined) return -1  // a defined id means begin() ran, so the slots exist
  const slot = id & MASK
  if (slotId[slot] !== id) { lostStarts++; return -1 }
  slotId[slot] = -1
  return slotStartNs[slot]
}

/** Forgets every request in flight (those that started before a new subscription are not paired). */
export function forgetInFlight(): void { slotId.fill(-1) }

/** Finishes ignored because SLOTS newer requests had started meanwhile (per thread). */
export function httpHookLostStarts(): number { return lostStarts }
