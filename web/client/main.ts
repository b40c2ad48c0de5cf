// Page entry: token, tabs, process switching, the live view and the profile explorer.
import * as d3 from 'd3'
import { apiJson, initToken, setTarget } from './api'
import { createLivePage } from './live/live-page'
import { createProfilePage } from './profile/profile-page'

interface Status { pid: number; mode: string; title: string; uptimeSeconds: number }
interface ProcEntry { pid: number; port: number; host: string; title: string; startedMs: number }

initToken()

const conn = document.getElementById('conn')!
const live = createLivePage((state, detail) => {
  conn.textContent = state === 'live' ? 'live' : state === 'paused' ? 'paused' : 'offline'
  conn.className = `conn ${state === 'live' ? 'on' : 'off'}`
  conn.title = detail ?? ''
})
const profiles = createProfilePage()

function showTab(name: string): void {
  for (const b of document.querySelectorAll<HTMLButtonElement>('nav button')) b.classList.toggle('active', b.dataset.tab === name)
  for (const s of document.querySelectorAll<HTMLElement>('section.tab')) s.classList.toggle('active', s.id === `tab-${name}`)
  if (name === 'processes') void loadProcesses()
  if (name === 'profiles') void profiles.refresh()
}
for (const b of document.querySelectorAll<HTMLButtonElement>('nav button')) b.addEventListener('click', () => showTab(b.dataset.tab!))

async function showTarget(): Promise<void> {
  try {
    const s = await apiJson<Status>('status')
    document.getElementById('proc-label')!.textContent = `pid ${s.pid} · ${s.title}`
  } catch (err) {
    document.getElementById('proc-label')!.textContent = (err as Error).message
  }
}

async function switchTo(pid: number | ''): Promise<void> {
  setTarget(pid)
  target = pid
  live.reset()
  await showTarget()
  if (document.visibilityState === 'visible') live.start()
  void profiles.refresh()
  showTab('live')
}

let target: number | '' = ''

async function loadProcesses(): Promise<void> {
  let list: ProcEntry[] = [], self: number | undefined
  try { list = await apiJson<ProcEntry[]>('/api/processes') } catch { /* shown empty */ }
  try { self = (await apiJson<Status>('/api/status')).pid } catch { /* unknown */ }
  const rows: (ProcEntry | null)[] = [null, ...list]
  const table = d3.select('#proc-table')
  table.selectAll('thead').data([null]).join('thead').selectAll('tr').data([null]).join('tr')
    .selectAll('th').data(['pid', 'port', 'command', 'started', '']).join('th').text((d) => d)
  const tr = table.selectAll('tbody').data([null]).join('tbody').selectAll<HTMLTableRowElement, ProcEntry | null>('tr').data(rows).join('tr')
  tr.selectAll<HTMLTableCellElement, string>('td')
    .data((p) => p ? [String(p.pid), String(p.port), p.title, new Date(p.startedMs).toLocaleString()] : [`${self ?? ''} (this)`, '', 'the process serving this page', ''])
    .join('td').text((d) => d)
  tr.classed('current', (p) => (p ? p.pid : '') === target)
  tr.selectAll<HTMLButtonElement, ProcEntry | null>('button').data((p) => [p]).join('button').text('show')
    .on('click', (_e, p) => { void switchTo(p ? p.pid : '') })
}

void showTarget()
live.start()
