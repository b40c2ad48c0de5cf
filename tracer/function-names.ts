// Names for instrumented functions, inferred from where they appear the way V8 names them
// for stack traces: declarations by their id, `const f = () => …` by the binding,
// `obj.f = function …` by the member, class members as `Class.method`, accessors as
// `get Class.x` / `set Class.x`, object literal members by their key.
import type { Node } from 'acorn'

type AnyNode = Node & Record<string, any>

function keyName(key: AnyNode | undefined | null, computed: boolean): string | undefined {
  if (!key) return undefined
  if (!computed && key.type === 'Identifier') return key.name
  if (key.type === 'PrivateIdentifier') return `#${key.name}`
  if (key.type === 'Literal') return String(key.value)
  return computed ? '[computed]' : undefined
}

function memberName(m: AnyNode): string | undefined {
  if (m.type === 'Identifier') return m.name
  if (m.type === 'ThisExpression') return 'this'
  if (m.type === 'MemberExpression') {
    const obj = memberName(m.object)
    const prop = keyName(m.property, m.computed)
    if (prop === undefined) return undefined
    return obj ? `${obj}.${prop}` : prop
  }
  return undefined
}

function className(cls: AnyNode | undefined, parents: AnyNode[], at: number): string {
  if (!cls) return '(anonymous class)'
  if (cls.id) return cls.id.name
  const outer = bindingName(parents, at)
  return outer ?? '(anonymous class)'
}

/** Name given by the binding the node at parents[at+1] is assigned to, if any. */
function bindingName(parents: AnyNode[], at: number): string | undefined {
  let i = at
  while (i >= 0 && parents[i].type === 'ParenthesizedExpression') i--
  const p = parents[i]
  if (!p) return undefined
  switch (p.type) {
    case 'VariableDeclarator': return p.id.type === 'Identifier' ? p.id.name : undefined
    case 'AssignmentExpression': return memberName(p.left)
    case 'AssignmentPattern': return p.left.type === 'Identifier' ? p.left.name : undefined
    case 'Property': return keyName(p.key, p.computed)
    case 'PropertyDefinition': {
      const cls = parents[i - 2]
      const k = keyName(p.key, p.computed)
      return k === undefined ? undefined : `${className(cls, parents, i - 3)}.${k}`
    }
    case 'ExportDefaultDeclaration': return 'default'
    default: return undefined
  }
}

/**
 * The display name of function `fn`; `parents` are its ancestors, outermost first
 * (parents[parents.length - 1] is the direct parent).
 */
export function functionName(fn: AnyNode, parents: AnyNode[]): string {
  const last = parents.length - 1
  const parent = parents[last]
  if (parent?.type === 'MethodDefinition') {
    const cls = parents[last - 2]
    const k = keyName(parent.key, parent.computed) ?? '?'
    const base = `${className(cls, parents, last - 3)}.${k === 'constructor' && parent.kind === 'constructor' ? 'constructor' : k}`
    return parent.kind === 'get' ? `get ${base}` : parent.kind === 'set' ? `set ${base}` : base
  }
  if (parent?.type === 'Property' && (parent.kind === 'get' || parent.kind === 'set')) {
    return `${parent.kind} ${keyName(parent.key, parent.computed) ?? '?'}`
  }
  if (fn.id?.name) return fn.id.name
  return bindingName(parents, last) ?? '(anonymous)'
}
