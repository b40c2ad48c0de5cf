// 5000 async activations pending at once (timers 5-54 ms), each then doing 50 leaf calls:
// the worst case for the importer's suspension bookkeeping (bench/tracer-import.js).
function work(i) { let s = 0; for (let k = 0; k < 50; k++) s += leaf(k + i); return s }
function leaf(x) { return x * 2 }
async function handle(i) { await new Promise((r) => setTimeout(r, 5 + (i % 50))); return work(i) }
function dispatch(i) { return handle(i) }
async function main() { const ps = []; for (let i = 0; i < 5000; i++) ps.push(dispatch(i)); await Promise.all(ps) }
main()
