'use strict'
// The same code is loaded twice by bench/tracer-overhead.js: once traced, once not.
function leaf(x) { return (x + 1) | 0 }
function loop(n) { let s = 0; for (let i = 0; i < n; i++) s = leaf(s); return s }
function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2) }
module.exports = { loop, fib }
