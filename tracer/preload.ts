// `node -r sonde/dist/tracer/preload.js`: the function tracer alone, from SONDE_TRACE /
// SONDE_TRACE_OUT (register.ts does the same as part of `-r sonde/register`; either order,
// it installs once per thread). Workers inherit the preload through execArgv.
import { debuglog } from 'node:util'
import { installFunctionTracerFromEnv } from './install'

try { installFunctionTracerFromEnv() } catch (err) { debuglog('sonde')('tracer: not installed: %s', (err as Error)?.message) }
