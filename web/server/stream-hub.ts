// Server-Sent Events fan-out with a bounded queue per client. Each event is serialised once.
// A client whose socket stops draining (res.write() → false) gets later events queued, up to
// maxQueueEvents / maxQueueBytes; beyond that the oldest queued event is dropped and counted.
// So a client that never reads costs at most the socket's high-water mark plus the queue cap,
// never unbounded server memory. At most maxClients streams are open at once (each holds a
// socket and its queue); add() refuses more. A comment line every heartbeatMs keeps proxies
// from timing out.
import type { ServerResponse } from 'node:http'

export interface StreamHubOptions { maxQueueEvents?: number; maxQueueBytes?: number; heartbeatMs?: number; maxClients?: number }

interface Client { res: ServerResponse; queue: string[]; queuedBytes: number; blocked: boolean; dropped: number }

export interface StreamStats { clients: number; droppedEvents: number; sentEvents: number; queuedBytes: number; refusedClients: number }

export function createStreamHub(o: StreamHubOptions = {}) {
  const maxEvents = o.maxQueueEvents ?? 4
  const maxBytes = o.maxQueueBytes ?? 512 * 1024
  const maxClients = o.maxClients ?? 32
  const clients = new Set<Client>()
  let droppedEvents = 0, sentEvents = 0, refusedClients = 0
  const heartbeat = setInterval(() => send(': keep-alive\n\n', false), o.heartbeatMs ?? 15_000)
  heartbeat.unref()

  function write(c: Client, chunk: string): void {
    try {
      if (!c.res.write(chunk)) c.blocked = true
    } catch { remove(c) }
  }

  function flush(c: Client): void {
    c.blocked = false
    while (!c.blocked && c.queue.length) {
      const chunk = c.queue.shift()!
      c.queuedBytes -= chunk.length
      sentEvents++
      write(c, chunk)
    }
  }

  function enqueue(c: Client, chunk: string): void {
    c.queue.push(chunk)
    c.queuedBytes += chunk.length
    while (c.queue.length > maxEvents || (c.queuedBytes > maxBytes && c.queue.length > 0)) {
      c.queuedBytes -= c.queue.shift()!.length
      c.dropped++
      droppedEvents++
    }
  }

  function send(chunk: string, counted: boolean): void {
    for (const c of clients) {
      if (c.blocked) { if (counted) enqueue(c, chunk); continue }
      if (counted) sentEvents++
      write(c, chunk)
    }
  }

  function remove(c: Client): void {
    if (!clients.delete(c)) return
    c.queue.length = 0
    c.queuedBytes = 0
  }

  return {
    /**
     * Takes over `res` as an event stream until the client goes away; false (res untouched) when
     * full. `first` makes the event this client gets before any broadcast (called only when admitted;
     * when it throws the stream opens without it).
     */
    add(res: ServerResponse, first?: () => { event: string; data: string }): boolean {
      if (clients.size >= maxClients) { refusedClients++; return false }
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store, no-transform',
        connection: 'keep-alive', 'x-accel-buffering': 'no',
      })
      const c: Client = { res, queue: [], queuedBytes: 0, blocked: false, dropped: 0 }
      clients.add(c)
      res.on('drain', () => flush(c))
      res.on('close', () => remove(c))
      res.on('error', () => remove(c))
      write(c, 'retry: 2000\n\n')
      if (first) {
        let e: { event: string; data: string } | undefined
        try { e = first() } catch { /* no first event */ }
        if (e) write(c, format(e.event, e.data))
      }
      return true
    },
    /** Sends one event to every client (data is already JSON text). */
    broadcast(event: string, data: string): void {
      if (clients.size) send(format(event, data), true)
    },
    get size(): number { return clients.size },
    stats(): StreamStats {
      let queuedBytes = 0
      for (const c of clients) queuedBytes += c.queuedBytes
      return { clients: clients.size, droppedEvents, sentEvents, queuedBytes, refusedClients }
    },
    close(): void {
      clearInterval(heartbeat)
      for (const c of clients) { try { c.res.end() } catch { /* gone */ } }
      clients.clear()
    },
  }
}

export type StreamHub = ReturnType<typeof createStreamHub>

export function format(event: string, data: string): string {
  // data is JSON: it holds no raw newline, so one data: line suffices.
  return `event: ${event}\ndata: ${data}\n\n`
}
