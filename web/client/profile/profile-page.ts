// The profile tab: open (file input or drag and drop → POST /api/profiles, imported server-side
// by the viz registry), record a CPU profile of the target process, pick a profile, shape the
// call graph (metric, thresholds, pseudo frames, focus), search, flame graph, exports.
import * as d3 from 'd3'
import { api, apiJson } from '../api'
import { createCallGraphView } from './callgraph-view'
import { createFlameView } from './flame-view'
import type { FlameCell } from '../../shared/wire'

interface ProfileInfo { id: string; name: string; format: string; unit: string; source: string; createdMs: number }
interface JsonGraph { unit: string; total: number; nodes: { id: number; name: string; self: number; total: number; calls: number | null }[]; edges: { caller: number; callee: number; weight: number; calls: number | null }[] }

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T

export function createProfilePage() {
  const status = $('prof-status'), list = $<HTMLSelectElement>('profile-list')
  let current: string | undefined, focus = '', view: 'graph' | 'flame' = 'graph', graph: JsonGraph | undefined
  const say = (s: string) => { status.textContent = s }
  const graphView = createCallGraphView($('graph-view'), (name) => select(name, true))
  const flameView = createFlameView($('flame-view'), (name) => select(name, false), (v) => `${d3.format('.3~s')(v)} ${graph?.unit ?? ''}`)

  function query(): string {
    const q = new URLSearchParams()
    const metric = $<HTMLSelectElement>('metric').value
    if (metric) q.set('metric', metric)
    q.set('nodeThres', $<HTMLInputElement>('node-thres').value)
    q.set('edgeThres', $<HTMLInputElement>('edge-thres').value)
    if ($<HTMLInputElement>('hide-pseudo').checked) q.set('hidePseudo', '1')
    if (focus) q.set('focus', focus)
    return q.toString()
  }

  async function refresh(selectId?: string): Promise<void> {
    let items: ProfileInfo[]
    try { items = await apiJson<ProfileInfo[]>('profiles') } catch (err) { say((err as Error).message); return }
    d3.select(list).selectAll<HTMLOptionElement, ProfileInfo>('option').data(items, (p) => p.id).join('option')
      .attr('value', (p) => p.id).text((p) => `${p.name} (${p.format}, ${p.source})`)
    const want = selectId ?? (current && items.some((p) => p.id === current) ? current : items[items.length - 1]?.id)
    if (want && want !== current) { list.value = want; await load(want) }
    if (!items.length) say('no profile yet: open a file or record one')
  }

  async function load(id: string): Promise<void> {
    current = id
    focus = ''
    $('func-name').textContent = 'Click a function'
    $('func-callers').replaceChildren(); $('func-callees').replaceChildren()
    $('clear-focus').classList.add('hidden')
    await render()
  }

  async function render(): Promise<void> {
    if (!current) return
    const id = current
    say('rendering…')
    try {
      const q = query()
      const [svg, g] = await Promise.all([(await api(`profiles/${id}/callgraph.svg?${q}`)).text(), apiJson<JsonGraph>(`profiles/${id}/callgraph.json?${q}`)])
      if (id !== current) return
      graph = g
      graphView.show(svg)
      if (view === 'flame') await showFlame()
      say(`${g.nodes.length} functions shown${focus ? `, focused on ${focus}` : ''}`)
      const s = $<HTMLInputElement>('search').value
      if (s) doSearch(s)
    } catch (err) { say(`error: ${(err as Error).message}`) }
  }

  async function showFlame(): Promise<void> {
    if (!current) return
    try { flameView.show(await apiJson<{ total: number; root: FlameCell }>(`profiles/${current}/flame.json`)) }
    catch (err) { $('flame-view').textContent = (err as Error).message }
  }

  function select(name: string, focusIt: boolean): void {
    $('func-name').textContent = name
    const byId = new Map((graph?.nodes ?? []).map((n) => [n.id, n]))
    const node = graph?.nodes.find((n) => n.name === name)
    const lines = (title: string, edges: { id: number; w: number }[]) => {
      const div = document.createElement('div')
      d3.select(div).append('h4').text(title)
      d3.select(div).append('ul').selectAll('li').data(edges.sort((a, b) => b.w - a.w)).join('li')
        .text((e) => `${byId.get(e.id)?.name ?? '?'} — ${d3.format('.3~s')(e.w)}`)
      return div
    }
    const callers = node ? graph!.edges.filter((e) => e.callee === node.id).map((e) => ({ id: e.caller, w: e.weight })) : []
    const callees = node ? graph!.edges.filter((e) => e.caller === node.id).map((e) => ({ id: e.callee, w: e.weight })) : []
    $('func-callers').replaceChildren(lines('callers', callers))
    $('func-callees').replaceChildren(lines('callees', callees))
    if (focusIt && name && name !== focus) {
      focus = name
      $('clear-focus').classList.remove('hidden')
      void render()
    }
  }

  function doSearch(q: string): void {
    const n = view === 'graph' ? graphView.search(q) : flameView.search(q)
    $('search-count').textContent = q ? `${n} match${n === 1 ? '' : 'es'}` : ''
  }

  async function upload(file: File): Promise<void> {
    say(`importing ${file.name}…`)
    try {
      const info = await apiJson<ProfileInfo>(`profiles?name=${encodeURIComponent(file.name)}`, { method: 'POST', body: file, headers: { 'content-type': 'application/octet-stream' } })
      await refresh(info.id)
    } catch (err) { say(`${file.name}: ${(err as Error).message}`) }
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
  list.addEventListener('change', () => { void load(list.value) })
  for (const id of ['metric', 'node-thres', 'edge-thres', 'hide-pseudo']) $(id).addEventListener('change', () => { void render() })
  $<HTMLInputElement>('search').addEventListener('input', (e) => doSearch((e.target as HTMLInputElement).value))
  $('clear-focus').addEventListener('click', () => { focus = ''; $('clear-focus').classList.add('hidden'); void render() })
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
