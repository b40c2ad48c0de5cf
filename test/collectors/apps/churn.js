// The heap churn of the GC fixtures (gc-accuracy.js, gc-whole-run.js): short-lived objects
// (scavenges), every 50 000th batch kept up to 20 times (promotions), then a forced full GC.
'use strict'
module.exports = function churn(rounds) {
  let keep = []
  const old = []
  for (let i = 0; i < rounds; i++) {
    keep.push({ i, s: 'x' + i })
    if (keep.length > 50000) { if (old.length < 20) old.push(keep); keep = [] }
  }
  globalThis.gc()
  return keep.length + old.length
}
