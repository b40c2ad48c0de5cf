// Every request the page makes: same origin, with `Authorization: Bearer TOKEN` when the page
// was opened with #token=… (kept in sessionStorage, removed from the address bar). The live
// stream is read with fetch() + a stream reader rather than EventSource, because EventSource
// cannot send headers; aborting the fetch closes the server-side stream.
let token: string | undefined
let base = '/api'

export function initToken(): void {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash)
  if (m) {
    token = decodeURIComponent(m[1])
    try { sessionStorage.setItem('sonde.token', token) } catch { /* storage off */ }
    history.replaceState(null, '', location.pathname + location.search)
  } else {
    try { token = sessionStorage.getItem('sonde.token') ?? undefined } catch { token = undefined }
  }
}

/** '' = this process; a pid = another sonde process, reached through the proxy. */
export function setTarget(pid: number | ''): void { base = pid === '' ? '/api' : `/api/proc/${pid}` }
export function apiBase(): string { return base }

function headers(extra?: Record<string, string>): Record<string, string> {
  return { ...(token ? { authorization: `Bearer ${token}` } : {}), ...extra }
}

export async function api(path: string, init: RequestInit = {}): Promise<Response> {
  const url = path.startsWith('/') ? path : `${base}/${path}`
  const res = await fetch(url, { ...init, headers: headers(init.headers as Record<string, string>), cache: 'no-store' })
  if (!res.ok) {
    let msg = `${res.status} ${res.statusText}`
    try { const j = await res.clone().json(); if (j && j.error) msg = j.error } catch { /* not JSON */ }
    throw new Error(msg)
  }
  return res
}

export async function apiJson<T>(path: string, init?: RequestInit): Promise<T> { return (await api(path, init)).json() as Promise<T> }

export interface StreamHandle { close(): void }

/** Opens the SSE stream; calls onEvent per event until closed or the connection ends (onEnd). */
export function openStream(onEvent: (event: string, data: string) => void, onEnd: (err?: unknown) => void): StreamHandle {
  const ctl = new AbortController()
  let closed = false
  ;(async () => {
    const res = await fetch(`${base}/stream`, { headers: headers({ accept: 'text/event-stream' }), signal: ctl.signal, cache: 'no-store' })
    if (!res.ok || !res.body) throw new Error(`stream: ${res.status}`)
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
    let buf = ''
    for (;;) {
      const { value, done } = await reader.read()
      if (done) break
      buf += value
      let i: number
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i)
        buf = buf.slice(i + 2)
        let event = 'message'
        const data: string[] = []
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) event = line.slice(7)
          else if (line.startsWith('data: ')) data.push(line.slice(6))
        }
        if (data.length) onEvent(event, data.join('\n'))
      }
    }
  })().then(() => { if (!closed) onEnd() }, (err) => { if (!closed) onEnd(err) })
  return { close() { closed = true; ctl.abort() } }
}
