// Fixture for test/web/record-source-maps.test.ts, run under tsx: a type-only line before the
// functions shifts the compiled lines, so a profile that is not mapped back puts them elsewhere.
// Works for RUN_MS, then has nothing left to do and must exit (sonde's dashboard is unref'd).
type N = number
function spinLoop(n: N): N { let s = 0; for (let i = 0; i < n; i++) s += Math.sqrt(i); return s }
function outerCall(n: N): N { return spinLoop(n) + spinLoop(n / 2) }
const end = Date.now() + Number(process.env.RUN_MS ?? 20000)
const t = setInterval(() => { outerCall(3e5); if (Date.now() > end) clearInterval(t) }, 1)
