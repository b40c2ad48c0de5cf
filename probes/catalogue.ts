// The probe catalogue: every static probe sonde ships, declared once.
// The C fire functions (native/probes.gen.h), the TS API (static-probes.ts),
// docs/probes.md and `sonde probes --json` are generated from this table or checked
// against it by test/probes/catalogue.test.ts. bpftrace argument positions are 0-based
// and follow the order of `args`.

export type ArgType = 'i8' | 'i16' | 'i32' | 'i64' | 'u8' | 'u16' | 'u32' | 'u64' | 'bool' | 'string' | 'ptr'

export interface ProbeArg {
  name: string
  type: ArgType
  /** Base unit of the value, when it has one: 'ns', 'bytes', 'count', ... */
  unit?: string
  description: string
}

export type Stability = 'stable' | 'evolving' | 'compat'

export interface ProbeSpec {
  provider: 'sonde' | 'node'
  name: string
  args: ProbeArg[]
  stability: Stability
  description: string
}

const gcKind: ProbeArg = {
  name: 'kind', type: 'i32',
  description: 'V8 GCType bits: 1 scavenge, 2 minor mark-compact, 4 mark-sweep-compact, 8 incremental marking, 16 weak callbacks',
}
const gcFlags: ProbeArg = { name: 'flags', type: 'i32', description: 'V8 GCCallbackFlags bits' }
const method: ProbeArg = { name: 'method', type: 'string', description: 'HTTP method (GET, POST, ...)' }
const url: ProbeArg = { name: 'url', type: 'string', description: 'request URL (path and query), truncated to the string bound' }
const requestId: ProbeArg = { name: 'request_id', type: 'u64', description: 'per-process request id, pairs request and response' }
const status: ProbeArg = { name: 'status', type: 'i32', description: 'HTTP status code' }
const durationNs: ProbeArg = { name: 'duration_ns', type: 'u64', unit: 'ns', description: 'request start to response finish' }
const committedOld: ProbeArg = { name: 'old_committed_bytes', type: 'u64', unit: 'bytes', description: 'V8 heap committed before the GC' }
const committedNew: ProbeArg = { name: 'new_committed_bytes', type: 'u64', unit: 'bytes', description: 'V8 heap committed after the GC' }
const channel: ProbeArg = { name: 'channel_id', type: 'u64', description: 'process-unique id of the message channel (one per port pair)' }
const seq: ProbeArg = { name: 'seq', type: 'u64', description: 'sequence number on that channel and direction, from 1' }
const fnName: ProbeArg = { name: 'function', type: 'string', description: 'JS function name ("(anonymous)" when it has none)' }
const location: ProbeArg = { name: 'location', type: 'string', description: 'script url:line' }

export const staticProbes: readonly ProbeSpec[] = [
  { provider: 'sonde', name: 'gc__start', stability: 'stable', description: 'a V8 garbage collection starts (prologue callback), per isolate', args: [gcKind, gcFlags] },
  {
    provider: 'sonde', name: 'gc__done', stability: 'stable', description: 'a V8 garbage collection ends (epilogue callback), per isolate',
    args: [gcKind, gcFlags,
      { name: 'duration_ns', type: 'u64', unit: 'ns', description: 'prologue to epilogue, monotonic clock' },
      { name: 'heap_used_before', type: 'u64', unit: 'bytes', description: 'heap used at the prologue' },
      { name: 'heap_used_after', type: 'u64', unit: 'bytes', description: 'heap used at the epilogue' }],
  },
  { provider: 'sonde', name: 'heap__grow', stability: 'stable', description: 'committed heap size grew across a GC', args: [committedOld, committedNew] },
  { provider: 'sonde', name: 'heap__shrink', stability: 'stable', description: 'committed heap size shrank across a GC', args: [committedOld, committedNew] },
  {
    provider: 'sonde', name: 'msg__send', stability: 'stable', description: 'a worker_threads message is posted (Worker#postMessage, parentPort, MessagePort)',
    args: [channel, seq,
      { name: 'bytes', type: 'i64', unit: 'bytes', description: 'payload size when cheaply known (strings, buffers), else -1' },
      { name: 'sender_thread_id', type: 'i32', description: 'worker_threads.threadId of the sender (0 = main thread)' }],
  },
  {
    provider: 'sonde', name: 'msg__receive', stability: 'stable', description: "a worker_threads message is picked up by the receiver's JS",
    args: [channel, seq,
      { name: 'latency_ns', type: 'u64', unit: 'ns', description: "send to pick-up by the receiving thread's JS" },
      { name: 'receiver_thread_id', type: 'i32', description: 'worker_threads.threadId of the receiver (0 = main thread)' }],
  },
  { provider: 'sonde', name: 'http__server__request', stability: 'stable', description: 'an HTTP server received a request', args: [method, url, requestId] },
  { provider: 'sonde', name: 'http__server__response', stability: 'stable', description: 'an HTTP server finished a response', args: [method, url, status, durationNs, requestId] },
  { provider: 'sonde', name: 'http__client__request', stability: 'stable', description: 'an HTTP client request was created', args: [method, url, requestId] },
  { provider: 'sonde', name: 'http__client__response', stability: 'stable', description: 'an HTTP client received its response', args: [method, url, status, durationNs, requestId] },
  { provider: 'sonde', name: 'loop__lag', stability: 'stable', description: 'event-loop delay of the last sample', args: [{ name: 'delay_ns', type: 'u64', unit: 'ns', description: 'how late the last event-loop sample timer ran' }] },
  {
    provider: 'sonde', name: 'alloc__sample', stability: 'stable', description: "a sample of V8's sampling heap profiler (objects already collected included)",
    args: [{ name: 'bytes', type: 'u64', unit: 'bytes', description: 'bytes attributed to this sample' }, fnName, location],
  },
  { provider: 'sonde', name: 'func__entry', stability: 'evolving', description: 'a traced JS function was entered (function tracer)', args: [fnName, location, { name: 'depth', type: 'i32', description: 'traced call depth, 0 at the outermost traced frame' }] },
  { provider: 'sonde', name: 'func__return', stability: 'evolving', description: 'a traced JS function returned or threw', args: [fnName, location, { name: 'duration_ns', type: 'u64', unit: 'ns', description: 'entry to return' }] },

  {
    provider: 'sonde', name: 'dyn__fire', stability: 'evolving',
    description: 'relay of every fire of a dynamic (user-defined) provider probe, for tracers that cannot see memfd objects and system-wide scripts',
    args: [
      { name: 'provider', type: 'string', description: 'dynamic provider name' },
      { name: 'probe', type: 'string', description: 'dynamic probe name' },
      ...[0, 1, 2, 3, 4, 5].map((i): ProbeArg => ({ name: `arg${i}`, type: 'i64', description: `argument ${i} of the dynamic fire as a 64-bit integer (bool 0/1; string and json arguments 0)` })),
    ],
  },

  // Compatibility provider: the layouts Node <= 18 shipped (src/node_provider.d), so bcc's
  // nodegc/nodestat and old one-liners work on Node 20.
  {
    provider: 'node', name: 'gc__start', stability: 'compat', description: 'Node <= 18 layout of gc__start',
    args: [{ name: 'type', type: 'i32', description: 'V8 GCType bits' }, { name: 'flags', type: 'i32', description: 'V8 GCCallbackFlags' }, { name: 'isolate', type: 'ptr', description: 'v8::Isolate*' }],
  },
  {
    provider: 'node', name: 'gc__done', stability: 'compat', description: 'Node <= 18 layout of gc__done',
    args: [{ name: 'type', type: 'i32', description: 'V8 GCType bits' }, { name: 'flags', type: 'i32', description: 'V8 GCCallbackFlags' }, { name: 'isolate', type: 'ptr', description: 'v8::Isolate*' }],
  },
  {
    provider: 'node', name: 'http__server__request', stability: 'compat', description: 'Node <= 18 layout of http__server__request',
    args: [
      { name: 'req', type: 'ptr', description: 'node_dtrace_http_server_request_t*' },
      { name: 'conn', type: 'ptr', description: 'node_dtrace_connection_t*' },
      { name: 'remote', type: 'string', description: 'remote address' },
      { name: 'port', type: 'i32', description: 'remote port' },
      { name: 'method', type: 'string', description: 'HTTP method' },
      { name: 'url', type: 'string', description: 'request URL' },
      { name: 'fd', type: 'i32', description: 'socket fd or -1' }],
  },
  {
    provider: 'node', name: 'http__server__response', stability: 'compat', description: 'Node <= 18 layout of http__server__response',
    args: [
      { name: 'conn', type: 'ptr', description: 'node_dtrace_connection_t*' },
      { name: 'remote', type: 'string', description: 'remote address' },
      { name: 'port', type: 'i32', description: 'remote port' },
      { name: 'fd', type: 'i32', description: 'socket fd or -1' }],
  },
  {
    provider: 'node', name: 'http__client__request', stability: 'compat', description: 'Node <= 18 layout of http__client__request',
    args: [
      { name: 'req', type: 'ptr', description: 'node_dtrace_http_client_request_t*' },
      { name: 'conn', type: 'ptr', description: 'node_dtrace_connection_t*' },
      { name: 'remote', type: 'string', description: 'remote address' },
      { name: 'port', type: 'i32', description: 'remote port' },
      { name: 'method', type: 'string', description: 'HTTP method' },
      { name: 'url', type: 'string', description: 'request URL' },
      { name: 'fd', type: 'i32', description: 'socket fd or -1' }],
  },
  {
    provider: 'node', name: 'http__client__response', stability: 'compat', description: 'Node <= 18 layout of http__client__response',
    args: [
      { name: 'conn', type: 'ptr', description: 'node_dtrace_connection_t*' },
      { name: 'remote', type: 'string', description: 'remote address' },
      { name: 'port', type: 'i32', description: 'remote port' },
      { name: 'fd', type: 'i32', description: 'socket fd or -1' }],
  },
]

/** Maximum bytes of a string argument, including the terminating NUL; longer strings are truncated. */
export const STRING_ARG_MAX = 256

export function probeKey(p: Pick<ProbeSpec, 'provider' | 'name'>): string {
  return `${p.provider}:${p.name}`
}
