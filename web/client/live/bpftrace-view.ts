// The "bpftrace" panel: pick a one-liner, run it with bpftrace against the shown process for N
// seconds (the server refuses with one line when it is not root or has no bpftrace: shown as
// is), and draw what the stream's `bpftrace` events carry: one bar chart per histogram (the
// bpftrace buckets, labelled in the map's unit) and a table of the count/sum maps.
import * as d3 from 'd3'
import { apiJson } from '../api'
import type { PanelHist, PanelState } from '../../shared/wire'
import { bytes, ns } from '../format'
import { fillTable } from './gc-view'

interface Info { available: boolean; reason: string | null; pid: number | null; oneLiners: { name: string; description: string }[]; current: PanelState | null; running: boolean }

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T

function fmt(unit: 'ns' | 'bytes' | null, v: number): string {
  if (!Number.isFinite(v)) return '–'
  return unit === 'ns' ? ns(v) : unit === 'bytes' ? bytes(v) : d3.format(',.4~r')(v)
}

function unitOfName(map: string): 'ns' | 'bytes' | null {
  if (/ count$/.test(map)) return null // stats(): the count of a timed map is a plain number
  return /_(ns|us|ms)\b/.test(map) ? 'ns' : /_(bytes|kb|mb)\b/.test(map) ? 'bytes' : null
}
const SCALE: Record<string, number> = { us: 1e3, ms: 1e6, kb: 1024, mb: 1024 * 1024 }

function drawHist(div: HTMLDivElement, h: PanelHist): void {
  const d = d3.select(div)
  d.selectAll('h4').data([null]).join('h4').text(`${h.map}${h.key ? `[${h.key}]` : ''}`)
  // An lhist clips at its top: a value in the overflow bucket is only known to be ≥ its edge.
  const over = h.buckets[h.buckets.length - 1]
  const edge = over && over.max === undefined && over.min !== undefined && over.count > 0 ? over.min * h.scale : Infinity
  const val = (v: number) => v >= edge ? `≥ ${fmt(h.unit, edge)}` : fmt(h.unit, v)
  d.selectAll('div.caption').data([null]).join('div').attr('class', 'caption')
    .text(`${h.count} events · p50 ${val(h.p50)} · p99 ${val(h.p99)} · max ${val(h.max)}`)
  const width = Math.max(300, div.clientWidth || 500), height = 150, m = { l: 48, r: 30, t: 6, b: 34 }
  const label = (b: PanelHist['buckets'][number]) => b.min === undefined ? `< ${fmt(h.unit, (b.max ?? 0) * h.scale + h.scale)}`
    : b.max === undefined ? `≥ ${fmt(h.unit, b.min * h.scale)}` : fmt(h.unit, b.min * h.scale)
  const x = d3.scaleBand<number>().domain(h.buckets.map((_b, i) => i)).range([m.l, width - m.r]).padding(0.1)
  const y = d3.scaleLinear().domain([0, d3.max(h.buckets, (b) => b.count) || 1]).nice().range([height - m.b, m.t])
  const svg = d.selectAll<SVGSVGElement, null>('svg').data([null]).join('svg').attr('width', width).attr('height', height)
  svg.selectAll<SVGRectElement, PanelHist['buckets'][number]>('rect.bt-bar').data(h.buckets)
    .join((e) => e.append('rect').attr('class', 'bt-bar').call((r) => r.append('title')))
    .attr('x', (_b, i) => x(i) ?? 0).attr('width', x.bandwidth()).attr('y', (b) => y(b.count)).attr('height', (b) => y(0) - y(b.count))
    .attr('data-count', (b) => b.count)
    .select('title').text((b) => `${label(b)}${b.max !== undefined && b.min !== undefined ? ` – ${fmt(h.unit, (b.max + 1) * h.scale)}` : b.min !== undefined ? ' and above' : ''}: ${b.count}`)
  const every = Math.ceil(h.buckets.length / Math.max(1, Math.floor((width - m.l - m.r) / 56)))
  // Every nth bucket labelled, and an overflow bucket always (it is where an lhist clips).
  const ticks = x.domain().filter((i) => i % every === 0), lastI = h.buckets.length - 1
  if (lastI > 0 && h.buckets[lastI].max === undefined && h.buckets[lastI].min !== undefined && ticks[ticks.length - 1] !== lastI) {
    if (lastI - ticks[ticks.length - 1] < every * 0.8) ticks.pop()
    ticks.push(lastI)
  }
  svg.selectAll<SVGGElement, null>('g.x').data([null]).join('g').attr('class', 'x axis').attr('transform', `translate(0,${height - m.b})`)
    .call(d3.axisBottom(x).tickValues(ticks).tickFormat((i) => label(h.buckets[Number(i)])))
  svg.selectAll<SVGGElement, null>('g.y').data([null]).join('g').attr('class', 'y axis').attr('transform', `translate(${m.l},0)`)
    .call(d3.axisLeft(y).ticks(4, 's'))
}

export function createBpftraceView() {
  const select = $<HTMLSelectElement>('bt-name'), secs = $<HTMLInputElement>('bt-seconds')
  const startBtn = $<HTMLButtonElement>('bt-start'), stopBtn = $<HTMLButtonElement>('bt-stop'), status = $('bt-status')
  let available = false

  function say(text: string, warn = false): void { status.textContent = text; status.classList.toggle('warn', warn) }
  function buttons(running: boolean): void { startBtn.disabled = running || !available; stopBtn.disabled = !running }

  function draw(s: PanelState): void {
    const running = s.state === 'running'
    buttons(running)
    const what = `${s.name} on pid ${s.pid}`
    if (s.state === 'failed') say(`${what} failed: ${s.error ?? 'unknown error'}`, true)
    else say(`${what}: ${running ? `running ${s.elapsedS.toFixed(0)} of ${s.durationS} s` : `done after ${s.elapsedS.toFixed(1)} s`} · ${s.attachedProbes} probes attached · ${s.prints} prints${s.notes.length ? ` · ${s.notes[s.notes.length - 1]}` : ''}`)
    d3.select($('bt-hists')).selectAll<HTMLDivElement, PanelHist>('div.bt-hist').data(s.histograms, (h) => `${h.map}|${h.key}`)
      .join('div').attr('class', 'bt-hist').each(function (h) { drawHist(this, h) })
    const rows: string[][] = []
    for (const m of s.maps) {
      const unit = unitOfName(m.map), scale = unit ? SCALE[/_(us|ms|kb|mb)\b/.exec(m.map)?.[1] ?? ''] ?? 1 : 1
      for (const [k, v] of m.rows) rows.push([m.map, k, fmt(unit, v * scale)])
      if (m.keys > m.rows.length) rows.push([m.map, `… ${m.keys - m.rows.length} more keys`, ''])
    }
    fillTable($<HTMLTableElement>('bt-maps'), rows.length ? ['map', 'key', 'value'] : [], rows)
    $('bt-empty').classList.toggle('hidden', s.histograms.length + s.maps.length > 0 || !running)
  }

  async function refresh(): Promise<void> {
    let info: Info
    try { info = await apiJson<Info>('bpftrace') } catch (err) { available = false; buttons(false); say(`bpftrace panel: ${(err as Error).message}`, true); return }
    available = info.available
    const keep = select.value || 'msg-latency'
    d3.select(select).selectAll<HTMLOptionElement, Info['oneLiners'][number]>('option').data(info.oneLiners, (o) => o.name).join('option')
      .attr('value', (o) => o.name).attr('title', (o) => o.description).text((o) => `${o.name} — ${o.description}`)
    select.value = info.oneLiners.some((o) => o.name === keep) ? keep : info.oneLiners[0]?.name ?? ''
    buttons(info.running)
    if (info.current) draw(info.current)
    else if (!available) say(`bpftrace unavailable: ${info.reason}`, true)
    else say(`runs on pid ${info.pid}, ${info.oneLiners.length} one-liners`)
  }

  startBtn.addEventListener('click', async () => {
    startBtn.disabled = true
    say(`starting ${select.value}…`)
    try { draw(await apiJson<PanelState>(`bpftrace/start?name=${encodeURIComponent(select.value)}&seconds=${encodeURIComponent(secs.value)}`, { method: 'POST' })) }
    catch (err) { say((err as Error).message, true); buttons(false) }
  })
  stopBtn.addEventListener('click', async () => {
    stopBtn.disabled = true
    try { await apiJson('bpftrace/stop', { method: 'POST' }) } catch (err) { say((err as Error).message, true) }
  })
  return { refresh, update: draw }
}
