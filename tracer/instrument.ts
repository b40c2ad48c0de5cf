// The function tracer's source transform. acorn parses the module (exact node ranges, every
// ES2025 form, no regex guessing); magic-string makes minimal in-place edits and emits the
// map of them, so line numbers never move and columns map back under --enable-source-maps.
// Each function body becomes
//   { const __sonde_d=__sonde_r().enter(K);try{ BODY }finally{__sonde_R.exit(__sonde_d)} }
// (expression-bodied arrows get a block with `return (EXPR)`; directives and the body's
// function declarations stay above the try, so they keep function scope). Every inserted
// fragment is marked so Function.prototype.toString can show the original (original-source.ts). Async
// functions and generators use enterA/exitA, and every `await X` / `yield X` becomes
//   __sonde_R.resumed(__sonde_a, await __sonde_R.suspend(__sonde_a, X))
// so the frame leaves the traced stack exactly while the function is suspended.
// `for await` iterables are wrapped so each implicit await suspends too; so are `yield*`
// delegates, so the delegating generator is on the stack while its delegate runs. The module-level
// part is a hoisted function declaration appended at the end, so a function called
// before the module body ran (ESM cycles, hoisting) still finds its tracer.
import { parse, type Node } from 'acorn'
import MagicString from 'magic-string'
import { functionName } from './function-names'
import { FRAGMENT_CLOSE, FRAGMENT_OPEN, hoistClose, hoistOpen, hoistPlaceholder, MARKER_PREFIXES } from './original-source'
import { composeMap, findMapComment, inlineMapComment, OriginalPositions, readIncomingMap } from './source-maps'

type AnyNode = Node & Record<string, any>

export interface InstrumentOptions {
  /** ES module (true) or CommonJS/script (false). */
  module: boolean
  /** Emit an inline source map for the transformed code (default true). */
  sourceMap?: boolean
}

export interface InstrumentResult {
  code: string
  /** [name, file index, line, column] per instrumented function, in id order. */
  sites: [string, number, number, number][]
  files: string[]
}

const NOOP = '{enter(){return 0},exit(){},enterA(){return 0},suspend(a,v){return v},resumed(a,v){return v},exitA(){},forAwait(a,i){return i},delegate(a,i){return i},delegateA(a,i){return i}}'

/** An inserted fragment, marked so Function.prototype.toString can drop it (original-source.ts). */
const f = (code: string): string => FRAGMENT_OPEN + code + FRAGMENT_CLOSE

const isFunction = (n: AnyNode): boolean =>
  n.type === 'FunctionDeclaration' || n.type === 'FunctionExpression' || n.type === 'ArrowFunctionExpression'

class Transformer {
  readonly ms: MagicString
  readonly sites: [string, number, number, number][] = []
  readonly files: string[]
  private readonly fileIndex = new Map<string, number>()
  /** Innermost enclosing function per depth: whether it has an activation. */
  private readonly fnStack: { activation: boolean; async: boolean }[] = []
  /** Body-level function declarations to hoist above the try, with where they go. */
  private readonly hoists: { decl: AnyNode; to: number }[] = []

  constructor(readonly source: string, readonly filename: string, private readonly positions: OriginalPositions) {
    this.ms = new MagicString(source)
    this.files = [filename]
    this.fileIndex.set(filename, 0)
  }

  private site(fn: AnyNode, parents: AnyNode[]): number {
    const { line, column } = fn.loc!.start
    const orig = this.positions.lookup(line, column)
    const file = orig?.file ?? this.filename
    let fi = this.fileIndex.get(file)
    if (fi === undefined) { fi = this.files.length; this.files.push(file); this.fileIndex.set(file, fi) }
    this.sites.push([functionName(fn, parents), fi, orig?.line ?? line, orig?.column ?? column])
    return this.sites.length - 1
  }

  visit(node: AnyNode, parents: AnyNode[]): void {
    const fn = isFunction(node)
    if (fn) this.openFunction(node, parents)
    else if (node.type === 'AwaitExpression') this.suspendPoint(node)
    else if (node.type === 'YieldExpression') { if (node.delegate) this.delegation(node); else this.suspendPoint(node) }
    else if (node.type === 'ForOfStatement' && node.await) this.forAwait(node, parents)
    parents.push(node)
    for (const key in node) {
      if (key === 'type' || key === 'loc' || key === 'start' || key === 'end') continue
      const v = node[key]
      if (Array.isArray(v)) {
        for (const c of v) if (c && typeof c.type === 'string') this.visit(c, parents)
      } else if (v && typeof v === 'object' && typeof v.type === 'string') this.visit(v, parents)
    }
    parents.pop()
    if (fn) this.fnStack.pop()
  }

  private openFunction(fn: AnyNode, parents: AnyNode[]): void {
    const k = this.site(fn, parents)
    const activation = Boolean(fn.async || fn.generator)
    this.fnStack.push({ activation, async: Boolean(fn.async) })
    const [v, enter, exit] = activation ? ['__sonde_a', 'enterA', 'exitA'] : ['__sonde_d', 'enter', 'exit']
    const open = `const ${v}=__sonde_r().${enter}(${k});try{`
    const close = `}finally{__sonde_R.${exit}(${v})}`
    const body = fn.body as AnyNode
    if (body.type === 'BlockStatement') {
      const stmts = body.body as AnyNode[]
      let at = body.start + 1
      let i = 0
      for (; i < stmts.length && stmts[i].type === 'ExpressionStatement' && typeof stmts[i].directive === 'string'; i++) at = stmts[i].end
      // Function declarations must stay function-scoped: inside the try block they would be
      // block-scoped (a SyntaxError next to `var f` or a strict duplicate, no Annex B
      // hoisting of a same-named block function, eval('var f') throwing). Leading ones stay
      // where they are (the try opens after them), later ones are hoisted above it.
      for (; i < stmts.length && stmts[i].type === 'FunctionDeclaration'; i++) at = stmts[i].end
      for (; i < stmts.length; i++) if (stmts[i].type === 'FunctionDeclaration') this.hoists.push({ decl: stmts[i], to: at })
      if (at >= body.end - 1) this.ms.appendRight(at, f(open + close))
      else {
        this.ms.appendRight(at, f(open))
        this.ms.prependLeft(body.end - 1, f(close))
      }
    } else {
      this.ms.appendRight(body.start, f(`{${open}return (`))
      this.ms.prependLeft(body.end, f(`)${close}}`))
    }
  }

  private inActivation(): boolean {
    const top = this.fnStack[this.fnStack.length - 1]
    return Boolean(top && top.activation)
  }

  private suspendPoint(node: AnyNode): void {
    if (!this.inActivation()) return
    this.ms.appendRight(node.start, f('__sonde_R.resumed(__sonde_a,'))
    if (node.argument) {
      this.ms.appendRight(node.argument.start, f('__sonde_R.suspend(__sonde_a,'))
      this.ms.prependLeft(node.argument.end, f(')'))
      this.ms.prependLeft(node.end, f(')'))
    } else {
      this.ms.prependLeft(node.end, f(` __sonde_R.suspend(__sonde_a,void 0))`))
    }
  }

  /**
   * `yield* X` → `resumed(a, yield* delegate(a, X))`: each step the consumer drives puts the
   * delegating generator back on the stack before the delegate runs (so the delegate is its
   * callee, as on V8's stack) and takes it off again before the value goes out.
   */
  private delegation(node: AnyNode): void {
    if (!this.inActivation()) return
    const top = this.fnStack[this.fnStack.length - 1]
    this.ms.appendRight(node.start, f('__sonde_R.resumed(__sonde_a,'))
    this.ms.appendRight(node.argument.start, f(`__sonde_R.${top.async ? 'delegateA' : 'delegate'}(__sonde_a,`))
    this.ms.prependLeft(node.argument.end, f(')'))
    this.ms.prependLeft(node.end, f(')'))
  }

  /** Wraps the loop (with its labels, so `continue L` still names a loop) to resume after it. */
  private forAwait(node: AnyNode, parents: AnyNode[]): void {
    if (!this.inActivation()) return
    this.ms.appendRight(node.right.start, f('__sonde_R.forAwait(__sonde_a,'))
    this.ms.prependLeft(node.right.end, f(')'))
    const body = node.body as AnyNode
    this.ms.appendRight(body.start, f('{__sonde_R.resumed(__sonde_a);'))
    this.ms.prependLeft(body.end, f('}'))
    let outer = node
    for (let i = parents.length - 1; i >= 0 && parents[i].type === 'LabeledStatement'; i--) outer = parents[i]
    this.ms.appendRight(outer.start, f('{'))
    this.ms.prependLeft(node.end, f(';__sonde_R.resumed(__sonde_a);}'))
  }

  /** Moves the collected declarations above their function's try, leaving a placeholder. */
  hoist(): void {
    this.hoists.forEach(({ decl, to }, n) => {
      this.ms.appendLeft(decl.start, hoistPlaceholder(n))
      this.ms.appendRight(decl.start, hoistOpen(n))
      this.ms.prependLeft(decl.end, hoistClose(n))
      this.ms.move(decl.start, decl.end, to)
    })
  }

  epilogue(): string {
    const files = JSON.stringify(this.files)
    const sites = JSON.stringify(this.sites)
    return `\n;var __sonde_R;function __sonde_r(){return __sonde_R||(__sonde_R=(globalThis[Symbol.for('sonde.tracer')]||{register(){return ${NOOP}}}).register(${files},${sites}))}`
  }
}

/**
 * Instruments every function of `source`. Returns null when the source does not parse
 * (it then runs untraced) or has no functions.
 */
export function instrument(source: string, filename: string, opts: InstrumentOptions): InstrumentResult | null {
  if (source.includes('function __sonde_r(){') || MARKER_PREFIXES.some((m) => source.includes(m))) return null // already instrumented
  let ast: AnyNode
  try {
    ast = parse(source, {
      ecmaVersion: 'latest', sourceType: opts.module ? 'module' : 'script', locations: true, preserveParens: true,
      allowHashBang: true, allowReturnOutsideFunction: !opts.module, allowAwaitOutsideFunction: opts.module,
    }) as AnyNode
  } catch {
    return null
  }
  const incoming = readIncomingMap(source, filename)
  const t = new Transformer(source, filename, new OriginalPositions(incoming))
  t.visit(ast, [])
  if (t.sites.length === 0) return null
  t.hoist()
  const comment = findMapComment(source)
  if (comment && opts.sourceMap !== false) t.ms.remove(comment.start, comment.end)
  t.ms.append(t.epilogue())
  let code = t.ms.toString()
  if (opts.sourceMap !== false) {
    const edit = t.ms.generateMap({ source: filename, hires: 'boundary', includeContent: false })
    const json = composeMap(edit as unknown as Parameters<typeof composeMap>[0], filename, new OriginalPositions(incoming))
    code += inlineMapComment(json)
  }
  return { code, sites: t.sites, files: t.files }
}
