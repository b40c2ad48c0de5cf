// Every command answers --help, -h and `sonde help CMD` with its usage on stdout (exit 0), and
// that help names every flag the command's parser accepts: the flag list comes from each
// command's own parseArgs table (the one its parser uses), so a flag added without help fails
// here. `sonde --version` prints package.json's version; a bad flag is one line, exit 2, that
// points to the command's --help.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { commands } from '../../cli/commands'

const root = path.resolve(__dirname, '..', '..')
const sonde = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'bin', 'sonde.js'), ...args], { encoding: 'utf8', timeout: 60_000 })

const names = Object.keys(commands)

test('the table has the nine commands', () => {
  assert.equal([...names].sort(), ['attach', 'callgraph', 'dashboard', 'demo', 'flame', 'oneliners', 'probes', 'run', 'trace'])
})

for (const name of names) {
  test(`${name}: --help, -h and help ${name} print the same usage on stdout, exit 0, naming every flag`, () => {
    const long = sonde(name, '--help')
    assert.is(long.status, 0, long.stderr)
    assert.is(long.stderr, '')
    assert.match(long.stdout, new RegExp(`^usage: sonde ${name}\\b`))
    const short = sonde(name, '-h'), viaHelp = sonde('help', name)
    assert.is(short.status, 0, short.stderr); assert.is(viaHelp.status, 0, viaHelp.stderr)
    assert.is(short.stdout, long.stdout)
    assert.is(viaHelp.stdout, long.stdout)
    const mod = commands[name]()
    const flags = Object.entries(mod.options)
    assert.ok(flags.length >= 2, `${name} declares its flags`)
    for (const [flag, spec] of flags) {
      assert.match(long.stdout, new RegExp(`(^|[\\s,;/(\\[])--${flag}(?![-\\w])`, 'm'), `${name} --help names --${flag}`)
      if (spec.short) assert.match(long.stdout, new RegExp(`(^|[\\s,;/(\\[])-${spec.short}(?![-\\w])`, 'm'), `${name} --help names -${spec.short}`)
    }
  })

  test(`${name}: an unknown flag is one line on stderr, exit 2, pointing to --help`, () => {
    const r = sonde(name, '--no-such-flag-here')
    assert.is(r.status, 2, r.stderr)
    assert.is(r.stdout, '')
    const lines = r.stderr.trimEnd().split('\n')
    assert.is(lines.length, 1, r.stderr)
    assert.match(lines[0], new RegExp(`^sonde ${name}: unknown option --no-such-flag-here \\(see 'sonde ${name} --help'\\)$`))
  })
}

test('a bad flag value or a missing argument: one line, exit 2, pointing to the command\'s --help', () => {
  const cases: [string[], RegExp][] = [
    [['callgraph', 'x.cpuprofile', '--metric', 'foo'], /--metric: 'foo' is not one of/],
    [['callgraph'], /missing INPUT/],
    [['flame', 'x.cpuprofile', '--width', '5'], /--width/],
    [['run', '--counts', '--', 'node', 'x.js'], /--counts needs --cpu-profile/],
    [['run'], /no command to run/],
    [['demo', '--port', 'abc'], /--port must be a number/],
    [['dashboard', '--duration', '0'], /--duration must be a number/],
    [['attach', '--timeout', '0', '1'], /--timeout/],
    [['attach'], /which process/],
    [['trace', 'loop-lag'], /--pid PID is required/],
    [['oneliners', 'a', 'b'], /one NAME only/],
    [['probes', 'extra'], /unexpected argument 'extra'/],
  ]
  for (const [args, re] of cases) {
    const r = sonde(...args)
    assert.is(r.status, 2, `${args.join(' ')}: ${r.stderr}`)
    const lines = r.stderr.trimEnd().split('\n')
    assert.is(lines.length, 1, r.stderr)
    assert.match(lines[0], re)
    assert.ok(lines[0].endsWith(`(see 'sonde ${args[0]} --help')`), lines[0])
  }
})

test('sonde help callgraph is not the top-level help; sonde --help lists every command', () => {
  const top = sonde('--help')
  assert.is(top.status, 0)
  for (const n of names) assert.match(top.stdout, new RegExp(`^  ${n} `, 'm'))
  assert.is.not(sonde('help', 'callgraph').stdout, top.stdout)
  const bad = sonde('help', 'nope')
  assert.is(bad.status, 2); assert.match(bad.stderr, /unknown command 'nope'/)
})

test('--version, -V and version print package.json\'s version', () => {
  const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }
  for (const a of ['--version', '-V', 'version']) {
    const r = sonde(a)
    assert.is(r.status, 0, r.stderr)
    assert.is(r.stdout, `sonde ${version}\n`)
  }
})

test('sonde run passes the app its own --help untouched', () => {
  const r = sonde('run', 'node', '-e', 'console.log(JSON.stringify(process.argv.slice(1)))', '--', '-h', '--help')
  assert.is(r.status, 0, r.stderr)
  assert.equal(JSON.parse(r.stdout.trim().split('\n').pop()!), ['-h', '--help'])
})

test.run()
