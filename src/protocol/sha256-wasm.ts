/**
 * A SIMD WebAssembly scanner for the PoW block, generated at runtime (no binary blob to audit).
 *
 * The compression function is written once, symbolically, over values that are literals,
 * per-call scalars or 4-lane vectors. Literals fold while generating; anything that depends only
 * on the prefix and the nonce's high word (rounds 0..8, most of the schedule's first words)
 * becomes scalar code run once per `scan` call; only what depends on the nonce's low word is
 * emitted as `i32x4` code inside the loop, `streams` × 4 nonces per pass. Work not needed for
 * the first hash word (the only one the target test reads) is dropped.
 */
import { type BlockScanner, IV, K, PAD_WORDS } from './sha256-js.ts'

/** Tuning knobs, for benchmarks; the defaults were the fastest measured (bench/pow.ts). */
export interface WasmScannerInit {
  /** Independent 4-lane vectors per pass; more hides latency, too many spill registers. @default 1 */
  streams?: number
}

interface Ref {
  readonly id: number
  readonly vec: boolean
}
/** A number is a literal (int32); a Ref is a local holding a scalar or a vector. */
type Val = number | Ref
type Op = 'add' | 'xor' | 'and' | 'shl' | 'shr' | 'rotr' | 'load' | 'eqz' | 'or'
interface Ins {
  out: Ref
  op: Op
  a: Val
  b: Val
}

const PARAMS = 4 // search(hi, lo, count, mask)
const isVec = (v: Val): boolean => typeof v !== 'number' && v.vec
/** Opcodes used (WebAssembly core spec 2.0, §5.4); SIMD opcodes follow the 0xfd prefix byte. */
const OP = {
  loop: 0x03,
  if: 0x04,
  end: 0x0b,
  brIf: 0x0d,
  return: 0x0f,
  get: 0x20,
  set: 0x21,
  tee: 0x22,
} as const
const I32 = { load: 0x28, const: 0x41, ltU: 0x49, add: 0x6a } as const
const SIMD = { prefix: 0xfd, const: 0x0c, splat: 0x11, eq: 0x37, anyTrue: 0x53, add: 0xae } as const
const TYPE = { void: 0x40, func: 0x60, i32: 0x7f, v128: 0x7b } as const
/** Arithmetic opcodes: [i32, i32x4]. SIMD has no rotate (see `rotr`). */
const ARITH: Record<string, readonly [number, number]> = {
  add: [0x6a, 0xae],
  xor: [0x73, 0x51],
  and: [0x71, 0x4e],
  or: [0x72, 0x50],
  shl: [0x74, 0xab],
  shr: [0x76, 0xad],
  rotr: [0x78, -1],
}

/** Records SSA-style instructions, folding literals and sharing repeated expressions. */
class Builder {
  readonly prologue: Ins[] = []
  readonly body: Ins[] = []
  readonly vecLocal: boolean[] = []
  readonly memo = new Map<string, Ref>()

  local(vec: boolean): Ref {
    this.vecLocal.push(vec)
    return { id: PARAMS + this.vecLocal.length - 1, vec }
  }
  ins(op: Op, a: Val, b: Val): Ref {
    const key = `${op} ${typeof a === 'number' ? a : `$${a.id}`} ${typeof b === 'number' ? b : `$${b.id}`}`
    const known = this.memo.get(key)
    if (known) return known
    const out = this.local(isVec(a) || isVec(b))
    ;(out.vec ? this.body : this.prologue).push({ out, op, a, b })
    this.memo.set(key, out)
    return out
  }
  add(a: Val, b: Val): Val {
    if (typeof a === 'number' && typeof b === 'number') return (a + b) | 0
    return a === 0 ? b : b === 0 ? a : this.ins('add', a, b)
  }
  xor(a: Val, b: Val): Val {
    if (typeof a === 'number' && typeof b === 'number') return a ^ b
    return a === 0 ? b : b === 0 ? a : this.ins('xor', a, b)
  }
  and(a: Val, b: Val): Val {
    if (typeof a === 'number' && typeof b === 'number') return a & b
    return a === 0 || b === 0 ? 0 : this.ins('and', a, b)
  }
  shr(a: Val, n: number): Val {
    return typeof a === 'number' ? (a >>> n) | 0 : this.ins('shr', a, n)
  }
  shl(a: Val, n: number): Val {
    return typeof a === 'number' ? a << n : this.ins('shl', a, n)
  }
  rotr(a: Val, n: number): Val {
    if (typeof a === 'number') return (a >>> n) | (a << (32 - n))
    // SIMD has no rotate: two shifts whose bits never overlap, joined by xor
    return a.vec ? this.xor(this.shr(a, n), this.shl(a, 32 - n)) : this.ins('rotr', a, n)
  }
  /** Adds literals and scalars first (once per call), then vectors in the given order. */
  sum(...vals: Val[]): Val {
    let acc: Val = 0
    for (const v of vals) if (!isVec(v)) acc = this.add(acc, v)
    for (const v of vals) if (isVec(v)) acc = this.add(acc, v)
    return acc
  }
}

/** Builds the program: returns the builder, the loop-carried low-word locals and the test value. */
function buildProgram(streams: number): { b: Builder; lows: Ref[]; found: Ref; counter: Ref } {
  const b = new Builder()
  const hi: Ref = { id: 0, vec: false }
  const mask: Ref = { id: 3, vec: false }
  const prefix = Array.from({ length: 8 }, (_, i) => b.ins('load', 0, i * 4))
  const lows = Array.from({ length: streams }, () => b.local(true))
  const counter = b.local(false)
  const sigma = (x: Val, r1: number, r2: number, s: number) =>
    b.xor(b.xor(b.rotr(x, r1), b.rotr(x, r2)), b.shr(x, s))
  const big = (x: Val, r1: number, r2: number, r3: number) =>
    b.xor(b.xor(b.rotr(x, r1), b.rotr(x, r2)), b.rotr(x, r3))
  const w: Val[][] = lows.map((lo) => [...prefix, hi, lo, ...PAD_WORDS.map((x) => x | 0)])
  const st: Val[][] = lows.map(() => Array.from(IV, (x) => x | 0))
  for (let t = 0; t < 64; t++) {
    // streams interleaved round by round so their independent chains overlap in the CPU
    for (let s = 0; s < streams; s++) {
      const ws = w[s]!
      if (t >= 16) {
        ws[t] = b.sum(ws[t - 16]!, ws[t - 7]!, sigma(ws[t - 15]!, 7, 18, 3), sigma(ws[t - 2]!, 17, 19, 10))
      }
      const [a, bb, c, d, e, f, g, h] = st[s]! as [Val, Val, Val, Val, Val, Val, Val, Val]
      const ch = b.xor(g, b.and(e, b.xor(f, g)))
      const t1 = b.sum(h, K[t]! | 0, ws[t]!, ch, big(e, 6, 11, 25))
      // Maj(a,b,c) = b ^ ((a^b) & (b^c)); b^c is last round's a^b, shared by the memo
      const maj = b.xor(bb, b.and(b.xor(a, bb), b.xor(bb, c)))
      const t2 = b.add(big(a, 2, 13, 22), maj)
      st[s] = [b.add(t1, t2), a, bb, c, b.add(d, t1), e, f, g]
    }
  }
  // a lane hits when the first hash word (IV[0] + a) has every masked bit clear
  const hits = st.map((state) => b.ins('eqz', b.and(b.add(state[0]!, IV[0]! | 0), mask), 0))
  const found = hits.reduce((any, hit) => b.ins('or', any, hit))
  return { b, lows, found, counter }
}

class Writer {
  readonly bytes: number[] = []
  u8(...xs: number[]): this {
    return this.append(xs)
  }
  append(xs: readonly number[]): this {
    for (const x of xs) this.bytes.push(x)
    return this
  }
  uleb(n: number): this {
    do {
      const byte = n & 0x7f
      n >>>= 7
      this.bytes.push(n ? byte | 0x80 : byte)
    } while (n)
    return this
  }
  sleb(n: number): this {
    for (;;) {
      const byte = n & 0x7f
      n >>= 7
      const done = (n === 0 && !(byte & 0x40)) || (n === -1 && byte & 0x40)
      this.bytes.push(done ? byte : byte | 0x80)
      if (done) return this
    }
  }
  simd(op: number): this {
    return this.u8(SIMD.prefix).uleb(op)
  }
  v128(lanes: number[]): this {
    this.simd(SIMD.const)
    for (const x of lanes) this.u8(x & 0xff, (x >>> 8) & 0xff, (x >>> 16) & 0xff, (x >>> 24) & 0xff)
    return this
  }
  get(id: number): this {
    return this.u8(OP.get).uleb(id)
  }
  set(id: number): this {
    return this.u8(OP.set).uleb(id)
  }
  section(id: number, content: Writer): this {
    return this.u8(id).uleb(content.bytes.length).append(content.bytes)
  }
}

/** Emits the whole module: `search(hi, lo, count, mask) -> offset | -1` and memory `mem`. */
function buildScannerModule(init: WasmScannerInit = {}): Uint8Array<ArrayBuffer> {
  const streams = init.streams ?? 1
  const group = streams * 4
  const { b, lows, found, counter } = buildProgram(streams)
  // dead-code elimination: keep only what the test (and the next pass) reads
  const live = new Set<number>([found.id, ...lows.map((l) => l.id)])
  const keep = new Set(
    [...b.prologue, ...b.body].reverse().filter((ins) => {
      if (!live.has(ins.out.id)) return false
      for (const v of [ins.a, ins.b]) if (typeof v !== 'number') live.add(v.id)
      return true
    }),
  )
  // vector operands that are literals or scalars are splatted once, before the loop
  const splats = new Map<number | string, Ref>()
  const splatOf = (key: number | string): Ref => {
    const ref = splats.get(key) ?? b.local(true)
    splats.set(key, ref)
    return ref
  }
  const operand = (w: Writer, v: Val, vec: boolean) => {
    if (!vec) return typeof v === 'number' ? w.u8(I32.const).sleb(v) : w.get(v.id)
    return w.get(typeof v === 'number' ? splatOf(`c${v}`).id : v.vec ? v.id : splatOf(v.id).id)
  }
  const emit = (w: Writer, ins: Ins) => {
    const vec = ins.out.vec
    if (ins.op === 'load') w.u8(I32.const, 0, I32.load, 2).uleb(ins.b as number)
    else if (ins.op === 'eqz') operand(w, ins.a, true).v128([0, 0, 0, 0]).simd(SIMD.eq)
    else {
      operand(w, ins.a, vec)
      if (ins.op === 'shl' || ins.op === 'shr' || ins.op === 'rotr') w.u8(I32.const).sleb(ins.b as number)
      else operand(w, ins.b, vec)
      const [scalarOp, vectorOp] = ARITH[ins.op]!
      if (vec) w.simd(vectorOp)
      else w.u8(scalarOp)
    }
    w.set(ins.out.id)
  }
  const loop = new Writer()
  for (const ins of b.body) if (keep.has(ins)) emit(loop, ins)
  loop.get(found.id).simd(SIMD.anyTrue).u8(OP.if, TYPE.void).get(counter.id).u8(OP.return, OP.end)
  for (const lo of lows)
    loop
      .get(lo.id)
      .get(splatOf(`c${group}`).id)
      .simd(SIMD.add)
      .set(lo.id)
  loop.get(counter.id).u8(I32.const).sleb(group).u8(I32.add, OP.tee).uleb(counter.id) // i += group
  loop.get(2).u8(I32.ltU, OP.brIf, 0) // again while i < count (unsigned)

  const code = new Writer()
  for (const ins of b.prologue) if (keep.has(ins)) emit(code, ins)
  for (const [key, ref] of splats) {
    if (typeof key === 'number') code.get(key)
    else code.u8(I32.const).sleb(Number(key.slice(1)))
    code.simd(SIMD.splat).set(ref.id)
  }
  lows.forEach((lo, s) => {
    const lanes = [0, 1, 2, 3].map((x) => s * 4 + x)
    code.get(1).simd(SIMD.splat).v128(lanes).simd(SIMD.add).set(lo.id)
  })
  code.u8(OP.loop, TYPE.void).append(loop.bytes).u8(OP.end, I32.const).sleb(-1).u8(OP.end)

  const fn = new Writer()
  const runs: [number, boolean][] = [] // local declarations, run-length encoded by type
  for (const vec of b.vecLocal) {
    const last = runs.at(-1)
    if (last && last[1] === vec) last[0]++
    else runs.push([1, vec])
  }
  fn.uleb(runs.length)
  for (const [n, vec] of runs) fn.uleb(n).u8(vec ? TYPE.v128 : TYPE.i32)
  fn.append(code.bytes)
  const name = (text: string) => [text.length, ...Array.from(text, (c) => c.charCodeAt(0))]
  const { i32 } = TYPE
  const module = new Writer()
    .u8(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0) // "\0asm", version 1
    .section(1, new Writer().u8(1, TYPE.func, 4, i32, i32, i32, i32, 1, i32)) // (i32 ×4) -> i32
    .section(3, new Writer().u8(1, 0)) // one function of type 0
    .section(5, new Writer().u8(1, 0, 1)) // one memory, 1 page
    .section(7, new Writer().u8(2, ...name('mem'), 2, 0, ...name('search'), 0, 0))
    .section(10, new Writer().u8(1).uleb(fn.bytes.length).append(fn.bytes))
  return Uint8Array.from(module.bytes)
}

/**
 * Compiles the SIMD scanner, or returns undefined where WebAssembly or its SIMD proposal is
 * missing. Compiles synchronously: browsers may refuse that for large modules on the main
 * thread, another reason to mine in a worker.
 */
export function createWasmScanner(init: WasmScannerInit = {}): BlockScanner | undefined {
  if (typeof WebAssembly !== 'object') return undefined
  let instance: WebAssembly.Instance
  try {
    instance = new WebAssembly.Instance(new WebAssembly.Module(buildScannerModule(init)))
  } catch {
    return undefined
  }
  const search = instance.exports.search as (hi: number, lo: number, count: number, mask: number) => number
  // WebAssembly memory is little-endian whatever the host is
  const memory = new DataView((instance.exports.mem as WebAssembly.Memory).buffer, 0, 32)
  const streams = init.streams ?? 1
  return {
    name: `wasm-simd128x${streams}`,
    group: streams * 4,
    setPrefix: (words) => {
      for (let i = 0; i < 8; i++) memory.setUint32(i * 4, words[i]!, true)
    },
    scan: (hi, lo, count, mask) => search(hi | 0, lo | 0, count | 0, mask | 0),
  }
}
