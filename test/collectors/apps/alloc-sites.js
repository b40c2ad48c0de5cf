// Fixture for test/collectors/alloc-sites.test.ts (run with -r dist/register.js, collectors from
// SONDE_COLLECT, dashboard on SONDE_DASHBOARD). makeRecords allocates ~20× what makeSmall does;
// both are kept alive briefly and dropped, so most sampled objects are already collected when
// the sampler is read (the profile includes them). Prints "DONE" after ~1.2 s of work.
'use strict'

function makeRecords(n) {
  const out = []
  for (let i = 0; i < n; i++) out.push({ id: i, label: 'record-' + i, values: [i, i * 2, i * 3] })
  return out
}

function makeSmall(n) {
  const out = []
  for (let i = 0; i < n; i++) out.push([i])
  return out
}

let kept = []
const until = Date.now() + 1200
const timer = setInterval(() => {
  kept = [makeRecords(20000), makeSmall(2000)]
  if (Date.now() > until) {
    clearInterval(timer)
    setTimeout(() => process.stdout.write(`DONE ${kept.length}\n`), 1100)  // > the sampler's 1 s poll
  }
}, 10)
process.stdin.on('data', () => {})
process.stdin.on('end', () => process.exit(0))
