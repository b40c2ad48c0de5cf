// The live tab's controller: the stream, whose first event is the backfill (the whole snapshot
// as the stream opened), then its ticks; redraw on every tick (≥ 1 Hz). Page Visibility: while
// the page is hidden the stream is closed (the server counts one client fewer); when shown again
// it reopens, and backfills from its first event.
import { openStream, type StreamHandle } from '../api'
import type { LiveSnapshot } from '../../shared/wire'
import { LiveStore } from './live-store'
import { drawHeatmap } from './heatmap-view'
import { drawGc } from './gc-view'
import { drawMessages, drawCost } from './tables-view'
import { drawAlloc, drawHeap } from './bars-view'
import { drawLoop } from './loop-view'
import { createBpftraceView } from './bpftrace-view'
import type { PanelState } from '../../shared/wire'

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T

export function createLivePage(onConn: (state: 'live' | 'paused' | 'offline', detail?: string) => void) {
  let store = new LiveStore()
  let stream: StreamHandle | undefined
  let retry: number | undefined
  let generation = 0
  const bpftrace = createBpftraceView()
  const routeSelect = $<HTMLSelectElement>('http-route')
  routeSelect.addEventListener('change', () => { $('http-caption').textContent = ''; render() })

  /** Keeps the route menu's options in step with the store; answers the chosen route ('' = all). */
  function routeMenu(): string {
    const names = ['', ...store.routeNames()]
    if (routeSelect.options.length !== names.length) {
      const keep = routeSelect.value
      routeSelect.replaceChildren(...names.map((n) => { const o = document.createElement('option'); o.value = n; o.textContent = n || 'all routes'; return o }))
      routeSelect.value = names.includes(keep) ? keep : ''
    }
    return routeSelect.value
  }

  function render(): void {
    const s = store.snap
    try {
      const route = routeMenu()
      drawHeatmap($('heat-http'), $('http-caption'), route ? store.routes.get(route)?.points() ?? [] : store.http.points(), 'requests')
      if (route) $('http-caption').textContent = `${route}: from the first tick after this page opened (per-route columns are not kept by the collector) · ${$('http-caption').textContent}`
      drawHeatmap($('heat-msg'), $('msg-caption'), store.msg.points(), 'messages')
      drawGc($('gc-timeline'), $('gc-kinds') as HTMLTableElement, $('gc-share'), store.gc, s)
      drawMessages($('msg-table') as HTMLTableElement, s)
      drawLoop($('loop-chart'), $('loop-caption'), $('elu'), store.elu, s)
      drawCost($('cost-table') as HTMLTableElement, s)
      drawAlloc($('alloc-bars'), s)
      drawHeap($('heap-bars'), s)
      const empty = $('live-empty')
      const off = s && s.collectors.length === 0
      empty.classList.toggle('hidden', !off)
      empty.textContent = off ? 'This process runs no collectors: open a profile, or pick a sonde process under Processes.' : ''
    } catch (err) {
      onConn('offline', `render failed: ${(err as Error).message}`)
    }
  }

  function start(): void {
    stop()
    const gen = ++generation
    stream = openStream((event, data) => {
      if (gen !== generation) return
      if (event === 'bpftrace') { try { bpftrace.update(JSON.parse(data) as PanelState) } catch { /* a bad event is skipped */ } return }
      if (event === 'backfill') {
        try { store.backfill(JSON.parse(data) as LiveSnapshot) } catch { return }
        onConn('live')
        render()
        void bpftrace.refresh()
        return
      }
      if (event !== 'tick') return
      try { store.tick(JSON.parse(data) as LiveSnapshot) } catch { return }
      onConn('live')
      render()
    }, (err) => {
      if (gen !== generation) return
      onConn('offline', err ? String((err as Error).message ?? err) : 'stream ended')
      scheduleRetry(gen)
    })
    onConn('live')
  }

  function scheduleRetry(gen: number): void {
    if (retry !== undefined) clearTimeout(retry)
    retry = window.setTimeout(() => { if (gen === generation && document.visibilityState === 'visible') start() }, 2000)
  }

  function stop(): void {
    generation++
    if (retry !== undefined) { clearTimeout(retry); retry = undefined }
    stream?.close()
    stream = undefined
  }

  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') { stop(); onConn('paused', 'stream paused while the page is hidden') }
    else start()
  })
  window.addEventListener('resize', () => render())

  return {
    start,
    stop,
    /** Switch target (another process): forget the data of the previous one. */
    reset(): void { store = new LiveStore() },
    get ticks(): number { return store.ticks },
  }
}
