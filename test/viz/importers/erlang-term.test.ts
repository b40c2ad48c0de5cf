// The Erlang term reader behind the fprof importer, on the shapes ~p prints.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Atom, ErlMap, formatAtom, formatTerm, Opaque, TermReader, TermSyntaxError, Tuple, type Term } from '../../../viz/importers/erlang-term'

function all(text: string): Term[] {
  const r = new TermReader(text)
  const out: Term[] = []
  for (let t = r.next(); t !== undefined; t = r.next()) out.push(t)
  return out
}
function error(text: string): TermSyntaxError {
  try { all(text) } catch (e) { if (e instanceof TermSyntaxError) return e; throw e }
  throw new Error('no error')
}

test('atoms: bare, quoted, escapes; printed back as Erlang does', () => {
  const [t] = all(`{fib, 'Elixir.Foo', 'weird name', 'it\\'s', 'back\\\\slash', '-run/0-fun-0-', 'a\\nb', '\\x{41}\\101', nonode@nohost}.`)
  const names = (t as Tuple).items.map((a) => (a as Atom).name)
  assert.equal(names, ['fib', 'Elixir.Foo', 'weird name', "it's", 'back\\slash', '-run/0-fun-0-', 'a\nb', 'AA', 'nonode@nohost'])
  assert.equal(names.map(formatAtom), ['fib', "'Elixir.Foo'", "'weird name'", "'it\\'s'", "'back\\\\slash'", "'-run/0-fun-0-'", "'a\\nb'", "'AA'", 'nonode@nohost'])
  assert.is(formatAtom('receive'), "'receive'")
})

test('strings with commas, braces and quotes; adjacent literals join', () => {
  const [t] = all('["a, {b} \\"c\\"", "abc"\n   "def", ""].')
  assert.equal(t, ['a, {b} "c"', 'abcdef', ''])
})

test('numbers: integers, negatives, floats, exponents, base#digits; numbers that run together', () => {
  assert.equal(all('[1, -2, 10.434, -0.001, 1.5e3, 2.0E-2, 16#ff, 2#101].')[0], [1, -2, 10.434, -0.001, 1500, 0.02, 255, 5])
  const [t] = all('{{fib,fib,1},5149,10.331,10.307}.')
  assert.equal((t as Tuple).items.slice(1), [5149, 10.331, 10.307])
})

test('pids, funs, refs, binaries, maps, improper lists, empty list with spaces', () => {
  const [t] = all('{<0.80.0>, "#Fun<reg.0.43708881>", #Fun<erl_eval.6.1>, #Ref<0.1.2.3>, <<"v,}">>, <<1,2:4>>, <<>>, #{k => <<"x">>, "s" => [1]}, [a|b], [ ]}.')
  const it = (t as Tuple).items
  assert.equal(it[0], new Opaque('pid', '<0.80.0>'))
  assert.is(it[1], '#Fun<reg.0.43708881>')
  assert.equal(it[2], new Opaque('fun', '#Fun<erl_eval.6.1>'))
  assert.equal(it[3], new Opaque('ref', '#Ref<0.1.2.3>'))
  assert.equal(it[4], new Opaque('binary', '<<"v,}">>'))
  assert.equal(it[5], new Opaque('binary', '<<1,2:4>>'))
  assert.equal(it[6], new Opaque('binary', '<<>>'))
  assert.ok(it[7] instanceof ErlMap)
  assert.is(formatTerm(it[7]), '#{k => <<"x">>,"s" => [1]}')
  assert.equal(it[8], [new Atom('a'), new Atom('b')])
  assert.equal(it[9], [])
})

test('comments, several terms, term lines, trailing comma before ] (fprof quirk)', () => {
  const r = new TermReader('%% head\n{a}.  %%%\n\n%% x\n[{b},\n   ].\n')
  assert.equal(r.next(), new Tuple([new Atom('a')], 2))
  assert.is(r.termLine, 2)
  assert.equal(r.next(), [new Tuple([new Atom('b')], 5)])
  assert.is(r.termLine, 5)
  assert.is(r.next(), undefined)
})

test('errors name the line and the reason', () => {
  assert.equal([error('{a,\n b,\n').line, error('{a,\n b,\n').reason], [3, 'unexpected end of input: a term is missing'])
  assert.is(error('{a,\n b\n').reason, 'unexpected end of input inside a tuple opened on line 1')
  assert.is(error('{a}').reason, 'unexpected end of input: term not closed by "."')
  assert.is(error('{a b}.').reason, 'expected "," or "}" in a tuple, found "b}."')
  assert.is(error('\n\n12ab.').line, 3)
  assert.is(error('12ab.').reason, 'bad number "12ab"')
  assert.is(error("'abc").reason, 'unexpected end of input inside a quoted atom opened on line 1')
  assert.is(error('"abc\n\n').reason, 'unexpected end of input inside a quoted string opened on line 1')
  assert.is(error('X.').reason, 'unexpected "X."')
  assert.is(error('<0.1>.').reason, 'bad pid "<0.1>."')
})

test.run()
