// -r preload for always-on.ts's start-up figures: prom-client's collectDefaultMetrics(), the peer
// baseline, loaded before an empty program the way `-r sonde/register` is.
'use strict'
require('prom-client').collectDefaultMetrics()
