// The profile tab: open (file input or drag and drop → POST /api/profiles, imported server-side
// by the viz registry), record a CPU profile of the target process, pick a profile, shape the
// call graph (metric — only those the profile has —, thresholds, node budget, pseudo frames,
// focus), select (click) and focus (double-click or the panel's button), search, flame graph
// (root at the bottom, like flamegraph.pl and `sonde flame`), exports.
import * as d3 from 'd3'
import { api, apiJson } from '../api'
import { createCallGraphView } from './callgraph-view'
import { createFlameView } from './flame-view'
import { keyOf, showFunction, type JsonGraph } from './func-panel'
import { plural, valueIn } from '../format'
import type { FlameCell } from '../../shared/wire'

interface ProfileInfo { id: string; name: string; format: string; unit: string; source: string; createdMs: number; metrics: string[] }

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T

/** Nodes of a first guess at the first view: what the call-graph box holds at 10 px labels (a
 * 10-unit Graphviz label is about 120 × 80 px with its spacing; call graphs fill about a third
 * of their box). After the layout, render() shrinks it once to what did fit. */
function autoBudget(): number {
  const el = $('graph-view')
  const area = (el.clientWidth || 1000) * (el.clientHeight || 700)
  return Math.max(8, Math.min(60, Math.round(area / 30000)))
}

export function createProfilePage() {
  const status = $('prof-status'), list = $<HTMLSelectElement>('profile-list'), metricMenu = $<HTMLSelectElement>('metric')
  let current: string | undefined, focus = '', selected = '', view: 'graph' | 'flame' = 'graph', graph: JsonGraph | undefined
  let beforeFocus: d3.ZoomTransform | undefined
  /** The automatic node budget of this profile, once a layout showed what fits (empty input = auto). */
  let fitted: number | undefined
  const say = (s: string) => { status.textContent = s }
  const graphView = createCallGraphView($('graph-view'), { select: (name) => select(name), focus: (name) => void setFocus(name) })
  const flameView = createFlameView($('flame-view'), (cell) => select(cell.f ? `${cell.n} ${cell.f}` : cell.n), (v) => valueIn(graph?.unit ?? '', v))

  function query(): string {
    const q = new URLSearchParams()
    if (metricMenu.value) q.set('metric', metricMenu.value)
    q.set('nodeThres', $<HTMLInputElement>('node-thres').value)
    q.set('edgeThres', $<HTMLInputElement>('edge-thres').value)
    q.set('budget', $<HTMLInputElement>('node-budget').value || String(fitted ?? autoBudget()))
    if ($<HTMLInputElement>('hide-pseudo').checked) q.set('hidePseudo', '1')
    if (focus) q.set('focus', focus)
    return q.toString()
  }

  /** The metric menu holds the profile's own metrics only (a cpuprofile: time). */
  function setMetrics(metrics: string[]): void {
    const keep = metrics.includes(metricMenu.value) ? metricMenu.value : ''
    d3.select(metricMenu).selectAll<HTMLOptionElement, string>('option').data(metrics, (m) => m).join('option')
      .attr('value', (m, i) => i === 0 ? '' : m).text((m) => m)
    metricMenu.value = keep
  }

  async function refresh(selectId?: string): Promise<void> {
    let items: ProfileInfo[]
    try { items = await apiJson<ProfileInfo[]>('profiles') } catch (err) { say((err as Error).message); return }
    d3.select(list).selectAll<HTMLOptionElement, ProfileInfo>('option').data(items, (p) => p.id).join('option')
      .attr('value', (p) => p.id).text((p) => `${p.name} (${p.format}, ${p.source})`)
    const want = selectId ?? (current && items.some((p) => p.id === current) ? current : items[items.length - 1]?.id)
    const info = items.find((p) => p.id === want)
    if (want && want !== current && info) { list.value = want; await load(info) }
    if (!items.length) say('no profile yet: open a file or record one')
  }

  async function load(info: ProfileInfo): Promise<void> {
    current = info.id
    focus = ''; selected = ''; beforeFocus = undefined; fitted = undefined
    // A new profile starts clean: no search left over from the previous one, its own metrics.
    $<HTMLInputElement>('search').value = ''
    $('search-count').textContent = ''
    setMetrics(info.metrics ?? [])
    showFunction('', undefined, false)
    $('clear-focus').classList.add('hidden')
    await render()
  }

  async function render(how: { transform?: d3.ZoomTransform; at?: string } = {}): Promise<void> {
    if (!current) return
    const id = current
    say('rendering…')
    try {
      const q = query()
      const [svg, g] = await Promise.all([(await api(`profiles/${id}/callgraph.svg?${q}`)).text(), apiJson<JsonGraph>(`profiles/${id}/callgraph.json?${q}`)])
      if (id !== current) return
      graph = g
      setMetrics(g.metrics)
      const top = [...g.nodes].sort((a, b) => b.total - a.total).find((n) => !/^\(/.test(n.name)), hottest = top && keyOf(top)
      graphView.show(svg, { ...how, hottest })
      // Auto budget: when the layout came out too big for 10 px labels, ask once for fewer
      // nodes (the rest: raise nodes ≤, or pan).
      const scale = graphView.labelScale()
      if (!$<HTMLInputElement>('node-budget').value && fitted === undefined && !focus) {
        const asked = autoBudget()
        // In proportion to the scale, not the area: call graphs grow in depth more than in width.
        fitted = scale >= 1 ? asked : Math.max(12, Math.floor(asked * scale))
        if (fitted < asked && fitted < g.nodes.length) return await render(how)
      }
      if (selected) graphView.mark(selected)
      if (view === 'flame') await showFlame()
      const shown = g.nodes.length
      say(`${shown} of ${plural(shown + g.dropped, 'function')} shown${g.dropped ? ' (raise nodes ≤ for more)' : ''}${focus ? `, focused on ${focus.replace(/ \S*\/([^/\s]+)$/, ' $1')}` : ''}`)
      const s = $<HTMLInputElement>('search').value
      if (s) doSearch(s)
    } catch (err) { say(`error: ${(err as Error).message}`) }
  }

  async function showFlame(): Promise<void> {
    if (!current) return
    const q = new URLSearchParams()
    if (focus) q.set('focus', focus)
    if ($<HTMLInputElement>('hide-pseudo').checked) q.set('hidePseudo', '1')
    try { flameView.show(await apiJson<{ total: number; root: FlameCell }>(`profiles/${current}/flame.json?${q}`)) }
    catch (err) { $('flame-view').textContent = (err as Error).message }
  }

  function select(name: string): void {
    selected = name
    graphView.mark(name)
    showFunction(name, graph, name === focus)
  }

  /** Focus: the graph re-laid out around `name` (zoomed to it); clearing restores the zoom of before. */
  async function setFocus(name: string): Promise<void> {
    if (!name || name === focus) return
    if (!focus) beforeFocus = graphView.transform()
    focus = name
    selected = name
    showFunction(name, graph, true)
    $('clear-focus').classList.remove('hidden')
    await render({ at: name })
    showFunction(name, graph, true)
  }

  function doSearch(q: string): void {
    if (view === 'graph') {
      const n = graphView.search(q)
      $('search-count').textContent = q.trim() ? (n ? plural(n, 'match', 'matches') : 'no match') : ''
    } else {
      const r = flameView.search(q)
      $('search-count').textContent = q.trim() ? (r.frames ? `${plural(r.frames, 'match', 'matches')} · ${(100 * r.share).toFixed(1)} % of the total` : 'no match') : ''
    }
  }

  async function upload(file: File): Promise<void> {
    say(`importing ${file.name}…`)
    try {
      const info = await apiJson<ProfileInfo>(`profiles?name=${encodeURIComponent(file.name)}`, { method: 'POST', body: file, headers: { 'content-type': 'application/octet-stream' } })
      await refresh(info.id)
    } catch (err) {
      // The server's message names the file already.
      const msg = (err as Error).message
      say(msg.startsWith(file.name) ? msg : `${file.name}: ${msg}`)
    }
  }

  $<HTMLInputElement>('file').addEventListener('change', (e) => {
    const f = (e.target as HTMLInputElement).files?.[0]
    if (f) void upload(f)
  })
  const drop = $('drop')
  for (const ev of ['dragenter', 'dragover']) document.addEventListener(ev, (e) => { e.preventDefault(); drop.classList.add('over') })
  document.addEventListener('dragleave', () => drop.classList.remove('over'))
  document.addEventListener('drop', (e) => {
    e.preventDefault(); drop.classList.remove('over')
    const f = (e as DragEvent).dataTransfer?.files?.[0]
    if (f) { document.querySelector<HTMLButtonElement>('nav button[data-tab=profiles]')?.click(); void upload(f) }
  })
  list.addEventListener('change', async () => {
    const items = await apiJson<ProfileInfo[]>('profiles').catch(() => [] as ProfileInfo[])
    const info = items.find((p) => p.id === list.value)
    if (info) await load(info)
  })
  for (const id of ['metric', 'node-thres', 'edge-thres', 'node-budget', 'hide-pseudo']) $(id).addEventListener('change', () => { void render() })
  $<HTMLInputElement>('search').addEventListener('input', (e) => doSearch((e.target as HTMLInputElement).value))
  $('clear-focus').addEventListener('click', () => {
    focus = ''
    $('clear-focus').classList.add('hidden')
    showFunction(selected, graph, false)
    const t = beforeFocus
    beforeFocus = undefined
    void render({ transform: t })
  })
  $('focus-func').addEventListener('click', () => { void setFocus(selected) })
  $('rec').addEventListener('click', async () => {
    const secs = Math.min(60, Math.max(1, Number($<HTMLInputElement>('rec-seconds').value) || 3))
    const btn = $<HTMLButtonElement>('rec')
    btn.disabled = true
    say(`recording ${secs} s…`)
    try {
      const info = await apiJson<ProfileInfo>(`record?seconds=${secs}`, { method: 'POST' })
      await refresh(info.id)
    } catch (err) { say(`record failed: ${(err as Error).message}`) } finally { btn.disabled = false }
  })
  const setView = (v: 'graph' | 'flame') => {
    view = v
    $('view-graph').classList.toggle('active', v === 'graph'); $('view-flame').classList.toggle('active', v === 'flame')
    $('graph-view').classList.toggle('hidden', v !== 'graph'); $('flame-view').classList.toggle('hidden', v !== 'flame')
    if (v === 'flame') void showFlame().then(() => doSearch($<HTMLInputElement>('search').value))
  }
  $('view-graph').addEventListener('click', () => setView('graph'))
  $('view-flame').addEventListener('click', () => setView('flame'))
  for (const b of document.querySelectorAll<HTMLButtonElement>('button[data-export]')) {
    b.addEventListener('click', async () => {
      if (!current) return
      try {
        const res = await api(`profiles/${current}/export.${b.dataset.export}?${query()}`)
        const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? `profile.${b.dataset.export}`
        const url = URL.createObjectURL(await res.blob())
        const a = document.createElement('a')
        a.href = url; a.download = name; document.body.appendChild(a); a.click(); a.remove()
        setTimeout(() => URL.revokeObjectURL(url), 10_000)
      } catch (err) { say(`export: ${(err as Error).message}`) }
    })
  }
  return { refresh: () => refresh() }
}
