// Profiles the page opened (uploads, live recordings), held in memory: at most MAX_PROFILES,
// the oldest evicted first. Rendered call-graph SVGs are cached per (profile, options) in a
// small LRU, since a Graphviz layout of a large graph costs up to a second or two.
import type { Profile } from '../../viz/model/profile'
import { metricsOf } from './profile-metrics'

export interface StoredProfile { id: string; name: string; format: string; unit: string; source: 'upload' | 'record'; createdMs: number; profile: Profile }
export interface ProfileInfo { id: string; name: string; format: string; unit: string; source: string; createdMs: number; threads: number; frames: number; metrics: string[] }

const MAX_PROFILES = 16
const MAX_RENDERS = 24

/** `idPrefix` keeps ids of a restarted profile worker apart from those of the one before. */
export function createProfileStore(idPrefix = 'p') {
  const profiles = new Map<string, StoredProfile>()
  const renders = new Map<string, Promise<string>>()
  let seq = 0

  function info(p: StoredProfile): ProfileInfo {
    return { id: p.id, name: p.name, format: p.format, unit: p.unit, source: p.source, createdMs: p.createdMs, threads: p.profile.threads.length, frames: p.profile.frames.size, metrics: metricsOf(p.profile) }
  }

  return {
    add(profile: Profile, source: StoredProfile['source']): ProfileInfo {
      const id = `${idPrefix}${++seq}`
      const p: StoredProfile = { id, name: profile.name, format: profile.format, unit: profile.unit, source, createdMs: Date.now(), profile }
      profiles.set(id, p)
      while (profiles.size > MAX_PROFILES) {
        const oldest = profiles.keys().next().value as string
        profiles.delete(oldest)
        for (const k of [...renders.keys()]) if (k.startsWith(oldest + '|')) renders.delete(k)
      }
      return info(p)
    },
    get(id: string): StoredProfile | undefined { return profiles.get(id) },
    list(): ProfileInfo[] { return [...profiles.values()].map(info) },
    /** Memoised render: same profile + options key → the same promise (failed ones are forgotten). */
    render(id: string, key: string, make: () => Promise<string>): Promise<string> {
      const k = `${id}|${key}`
      let r = renders.get(k)
      if (r) { renders.delete(k); renders.set(k, r); return r }
      r = make()
      renders.set(k, r)
      r.catch(() => renders.delete(k))
      while (renders.size > MAX_RENDERS) renders.delete(renders.keys().next().value as string)
      return r
    },
  }
}

export type ProfileStore = ReturnType<typeof createProfileStore>
