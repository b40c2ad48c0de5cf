// Where the native addons are, for the Node.js that is running. Two binaries:
//   sonde      calls V8's C++ API (GC callbacks, sampling heap profiler): one build per Node ABI
//              (NODE_MODULE_VERSION); built for another ABI it must never be loaded (V8's C++
//              ABI changes every major: symbols resolve lazily and the host dies later).
//   sonde_dyn  Node-API only: one build serves every line.
// Looked for, in order: a source build (build/Release/NAME.node, from `npm install` in a clone
// or `node scripts/build-native.js`), then the prebuilt binaries shipped in the package, named
// as prebuildify names them (prebuilds/<platform>-<arch>/NAME.abi<N>.node, NAME.napi.node) so
// node-gyp-build's layout is kept. The ABI a `sonde` binary was built for is read from a tag the
// build embeds ("sonde-node-abi=<N>;"), without loading it.
import fs from 'node:fs'
import path from 'node:path'

export type NativeName = 'sonde' | 'sonde_dyn'

export interface NativeLookup {
  /** The binary to load, or undefined when none fits this Node. */
  file?: string
  /** Every path looked at, with why it was passed over. */
  passed: { file: string; why: string }[]
}

const ABI_TAG = Buffer.from('sonde-node-abi=')

// Paths here are built by concatenation, not path.join: this runs at every start-up, and
// path normalising is what sends node:path's functions to Maglev on Node 24+ (addon.ts).

/** The package root: sonde's package.json, build/ and prebuilds/ (sources run from there, dist/ one down). */
export const packageRoot: string = (() => {
  let dir = __dirname
  for (let i = 0; i < 5; i++) {
    dir = path.dirname(dir)
    try { if (JSON.parse(fs.readFileSync(dir + '/package.json', 'utf8')).name === 'sonde') return dir } catch { /* keep looking */ }
  }
  return path.dirname(__dirname)
})()

/** The NODE_MODULE_VERSION a sonde binary was built for (its embedded tag), or undefined. */
export function builtAbi(file: string): number | undefined {
  let buf: Buffer
  try { buf = fs.readFileSync(file) } catch { return undefined }
  const at = buf.indexOf(ABI_TAG)
  if (at < 0) return undefined
  const m = /^(\d+);/.exec(buf.subarray(at + ABI_TAG.length, at + ABI_TAG.length + 8).toString('latin1'))
  return m ? Number(m[1]) : undefined
}

/** Node's major for an ABI, for messages (the ABI moves once per major). */
export function nodeMajorOfAbi(abi: number): string {
  const known: Record<number, string> = { 115: '20', 120: '21', 127: '22', 131: '23', 137: '24', 141: '25', 147: '26' }
  return known[abi] ?? `ABI ${abi}`
}

export function locateNative(name: NativeName, root: string = packageRoot): NativeLookup {
  const abi = Number(process.versions.modules)
  const tuple = `${process.platform}-${process.arch}`
  const passed: NativeLookup['passed'] = []
  const candidates = [
    `${root}/build/Release/${name}.node`,
    `${root}/prebuilds/${tuple}/${name === 'sonde' ? `${name}.abi${abi}.node` : `${name}.napi.node`}`,
  ]
  for (const file of candidates) {
    if (!fs.existsSync(file)) { passed.push({ file, why: 'missing' }); continue }
    if (name === 'sonde') {
      const built = builtAbi(file)
      if (built !== abi) {
        passed.push({ file, why: built === undefined ? 'carries no ABI tag (an old build)' : `built for Node ${nodeMajorOfAbi(built)} (ABI ${built}), this is Node ${process.versions.node} (ABI ${abi})` })
        continue
      }
    }
    return { file, passed }
  }
  return { passed }
}
