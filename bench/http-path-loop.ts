// The request loop of the in-process HTTP path benches (collectors-http-path.ts: time;
// http-path-instructions.ts: instructions): what Node's http server does per request once
// someone subscribes to its diagnostics channels, without sockets or express: a fresh
// IncomingMessage/ServerResponse pair per request (real Node objects, so property access costs
// what it costs on them), the { request, response, socket, server } message published on
// http.server.request.start and, with express's req.route/baseUrl set, on
// http.server.response.finish; Node skips both publishes while nobody subscribes.
import diagnostics_channel from 'node:diagnostics_channel'
import http from 'node:http'
import net from 'node:net'

const start = diagnostics_channel.channel('http.server.request.start')
const finish = diagnostics_channel.channel('http.server.response.finish')
const server = {}, socket = new net.Socket()

type Req = http.IncomingMessage & { route?: { path: string }; baseUrl?: string }
const INFLIGHT = 10, BATCH = 1000

/**
 * n requests, INFLIGHT at a time (request i starts, request i - INFLIGHT finishes, as with 10
 * keep-alive connections), yielding to the event loop every BATCH requests so the collectors'
 * timers run as they would in a server. The last INFLIGHT requests are left unfinished.
 */
export async function driveRequests(n: number): Promise<void> {
  const window: { request: Req; response: http.ServerResponse }[] = []
  for (let b = 0; b < n; b += BATCH) {
    for (let i = 0; i < BATCH; i++) {
      const request = new http.IncomingMessage(socket) as Req
      request.method = 'GET'; request.url = '/'
      const response = new http.ServerResponse(request)
      if (start.hasSubscribers) start.publish({ request, response, socket, server })
      window.push({ request, response })
      if (window.length > INFLIGHT) {
        const done = window.shift()!
        done.request.baseUrl = ''
        done.request.route = { path: '/' }
        if (finish.hasSubscribers) finish.publish({ request: done.request, response: done.response, socket, server })
      }
    }
    await new Promise((res) => setImmediate(res))
  }
}
