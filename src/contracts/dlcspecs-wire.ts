/**
 * The dlcspecs wire form of `accept_dlc` (type 42780) and `sign_dlc` (type 42782), field by
 * field as Protocol.md and Messaging.md lay them out (and rust-dlc's dlc-messages writes them):
 * a big-endian u16 message type, then the fields; integers unsigned big-endian, collections
 * prefixed with a BigSize count, scripts (`spk`) with a u16 length, `Optional` fields with a 0x00
 * / 0x01 byte, and a TLV stream to the end. Pure bytes in, bytes out; what the fields mean for a
 * Mega contract is dlcspecs.ts.
 */
import { fromHex } from '../protocol/index.ts'
import { ContractError, ContractErrorCode } from './errors.ts'

export const ACCEPT_DLC_TYPE = 42_780
export const SIGN_DLC_TYPE = 42_782
/** dlcspecs' current protocol version. */
export const DLC_PROTOCOL_VERSION = 1
/** An ECDSA adaptor signature (65 bytes) followed by its DLEQ proof (97 bytes). */
export const ADAPTOR_SIGNATURE_LENGTH = 162

/** `funding_input`. */
export interface FundingInputFields {
  inputSerialId: bigint
  prevTx: Uint8Array
  prevTxVout: number
  sequence: number
  maxWitnessLen: number
  redeemScript: Uint8Array
}

/** `accept_dlc` (no negotiation fields, no TLVs written). */
export interface AcceptDlcFields {
  protocolVersion: number
  temporaryContractId: Uint8Array
  acceptCollateral: bigint
  fundingPubkey: Uint8Array
  payoutSpk: Uint8Array
  payoutSerialId: bigint
  fundingInputs: FundingInputFields[]
  changeSpk: Uint8Array
  changeSerialId: bigint
  /** 162 bytes each. */
  cetAdaptorSignatures: Uint8Array[]
  /** 64-byte compact ECDSA signature (r ‖ s). */
  refundSignature: Uint8Array
}

/** `sign_dlc`. */
export interface SignDlcFields {
  protocolVersion: number
  contractId: Uint8Array
  cetAdaptorSignatures: Uint8Array[]
  refundSignature: Uint8Array
  /** One witness stack per funding input of the sender, by `input_serial_id`. */
  fundingSignatures: Uint8Array[][]
}

class Writer {
  readonly #parts: number[] = []
  u8(value: number): this {
    this.#parts.push(value & 0xff)
    return this
  }
  u16(value: number): this {
    return this.u8(value >> 8).u8(value)
  }
  u32(value: number): this {
    return this.u16(Math.floor(value / 0x10000)).u16(value & 0xffff)
  }
  u64(value: bigint): this {
    return this.u32(Number(value >> 32n)).u32(Number(value & 0xffffffffn))
  }
  bigSize(value: number): this {
    if (value < 0xfd) return this.u8(value)
    if (value <= 0xffff) return this.u8(0xfd).u16(value)
    return this.u8(0xfe).u32(value)
  }
  bytes(value: Uint8Array, length?: number): this {
    if (length !== undefined && value.length !== length)
      throw new Error(`a field of ${length} bytes has ${value.length}`)
    for (const byte of value) this.#parts.push(byte)
    return this
  }
  spk(script: Uint8Array): this {
    return this.u16(script.length).bytes(script)
  }
  adaptorSignatures(signatures: Uint8Array[]): this {
    this.bigSize(signatures.length)
    for (const signature of signatures) this.bytes(signature, ADAPTOR_SIGNATURE_LENGTH)
    return this
  }
  done(): Uint8Array {
    return Uint8Array.from(this.#parts)
  }
}

function malformed(message: string, offset: number): ContractError {
  return new ContractError(
    ContractErrorCode.MESSAGE_INVALID,
    `dlcspecs message: ${message} at byte ${offset}`,
    {
      offset,
    },
  )
}

class Reader {
  #offset = 0
  readonly buffer: Uint8Array
  constructor(buffer: Uint8Array) {
    this.buffer = buffer
  }
  get offset(): number {
    return this.#offset
  }
  get left(): number {
    return this.buffer.length - this.#offset
  }
  bytes(length: number): Uint8Array {
    if (length > this.left) throw malformed(`${length} bytes needed, ${this.left} left`, this.#offset)
    const value = this.buffer.slice(this.#offset, this.#offset + length)
    this.#offset += length
    return value
  }
  u8(): number {
    return this.bytes(1)[0]!
  }
  u16(): number {
    const [a, b] = this.bytes(2)
    return (a! << 8) | b!
  }
  u32(): number {
    return this.u16() * 0x10000 + this.u16()
  }
  u64(): bigint {
    return (BigInt(this.u32()) << 32n) | BigInt(this.u32())
  }
  /** BigSize, minimally encoded (as Lightning requires). */
  bigSize(): number {
    const at = this.#offset
    const first = this.u8()
    if (first < 0xfd) return first
    const value = first === 0xfd ? this.u16() : first === 0xfe ? this.u32() : Number(this.u64())
    const floor = first === 0xfd ? 0xfd : first === 0xfe ? 0x10000 : 0x100000000
    if (value < floor) throw malformed('a BigSize not minimally encoded', at)
    if (!Number.isSafeInteger(value)) throw malformed('a BigSize too large', at)
    return value
  }
  /** A BigSize count of items, bounded by the bytes left at `minBytes` per item. */
  count(minBytes: number): number {
    const at = this.#offset
    const count = this.bigSize()
    if (count * minBytes > this.left) throw malformed(`${count} items cannot fit in ${this.left} bytes`, at)
    return count
  }
  spk(): Uint8Array {
    return this.bytes(this.u16())
  }
  adaptorSignatures(): Uint8Array[] {
    return Array.from({ length: this.count(ADAPTOR_SIGNATURE_LENGTH) }, () =>
      this.bytes(ADAPTOR_SIGNATURE_LENGTH),
    )
  }
  /** The TLV stream to the end: unknown even types are refused, odd ones ignored (BOLT 1). */
  tlvs(): void {
    let last = -1
    while (this.left > 0) {
      const at = this.#offset
      const type = this.bigSize()
      if (type <= last) throw malformed('TLV types out of order', at)
      last = type
      this.bytes(this.bigSize())
      if (type % 2 === 0) throw malformed(`an unknown even TLV type ${type}`, at)
    }
  }
}

/** `accept_dlc` as wire bytes, its u16 type first. */
export function encodeAcceptDlc(fields: AcceptDlcFields): Uint8Array {
  const writer = new Writer()
    .u16(ACCEPT_DLC_TYPE)
    .u32(fields.protocolVersion)
    .bytes(fields.temporaryContractId, 32)
    .u64(fields.acceptCollateral)
    .bytes(fields.fundingPubkey, 33)
    .spk(fields.payoutSpk)
    .u64(fields.payoutSerialId)
    .bigSize(fields.fundingInputs.length)
  for (const input of fields.fundingInputs) {
    writer
      .u64(input.inputSerialId)
      .bigSize(input.prevTx.length)
      .bytes(input.prevTx)
      .u32(input.prevTxVout)
      .u32(input.sequence)
      .u16(input.maxWitnessLen)
      .spk(input.redeemScript)
  }
  return writer
    .spk(fields.changeSpk)
    .u64(fields.changeSerialId)
    .adaptorSignatures(fields.cetAdaptorSignatures)
    .bytes(fields.refundSignature, 64)
    .u8(0) // negotiation_fields: absent
    .done()
}

/** `sign_dlc` as wire bytes, its u16 type first. */
export function encodeSignDlc(fields: SignDlcFields): Uint8Array {
  const writer = new Writer()
    .u16(SIGN_DLC_TYPE)
    .u32(fields.protocolVersion)
    .bytes(fields.contractId, 32)
    .adaptorSignatures(fields.cetAdaptorSignatures)
    .bytes(fields.refundSignature, 64)
    .bigSize(fields.fundingSignatures.length)
  for (const stack of fields.fundingSignatures) {
    writer.bigSize(stack.length)
    for (const element of stack) writer.bigSize(element.length).bytes(element)
  }
  return writer.done()
}

/** The message type of wire bytes (the first two bytes). */
export function dlcMessageType(bytes: Uint8Array): number {
  return new Reader(bytes).u16()
}

/** Parses `accept_dlc` wire bytes; throws `CONTRACT_MESSAGE_INVALID` naming the byte offset. */
export function decodeAcceptDlc(bytes: Uint8Array): AcceptDlcFields {
  const reader = new Reader(bytes)
  const type = reader.u16()
  if (type !== ACCEPT_DLC_TYPE) throw malformed(`type ${type} is not accept_dlc (${ACCEPT_DLC_TYPE})`, 0)
  const protocolVersion = reader.u32()
  const temporaryContractId = reader.bytes(32)
  const acceptCollateral = reader.u64()
  const fundingPubkey = reader.bytes(33)
  const payoutSpk = reader.spk()
  const payoutSerialId = reader.u64()
  const fundingInputs = Array.from({ length: reader.count(19) }, () => ({
    inputSerialId: reader.u64(),
    prevTx: reader.bytes(reader.bigSize()),
    prevTxVout: reader.u32(),
    sequence: reader.u32(),
    maxWitnessLen: reader.u16(),
    redeemScript: reader.spk(),
  }))
  const changeSpk = reader.spk()
  const changeSerialId = reader.u64()
  const cetAdaptorSignatures = reader.adaptorSignatures()
  const refundSignature = reader.bytes(64)
  const at = reader.offset
  if (reader.u8() !== 0) throw malformed('negotiation fields are not supported', at)
  reader.tlvs()
  return {
    protocolVersion,
    temporaryContractId,
    acceptCollateral,
    fundingPubkey,
    payoutSpk,
    payoutSerialId,
    fundingInputs,
    changeSpk,
    changeSerialId,
    cetAdaptorSignatures,
    refundSignature,
  }
}

/** Parses `sign_dlc` wire bytes; throws `CONTRACT_MESSAGE_INVALID` naming the byte offset. */
export function decodeSignDlc(bytes: Uint8Array): SignDlcFields {
  const reader = new Reader(bytes)
  const type = reader.u16()
  if (type !== SIGN_DLC_TYPE) throw malformed(`type ${type} is not sign_dlc (${SIGN_DLC_TYPE})`, 0)
  const protocolVersion = reader.u32()
  const contractId = reader.bytes(32)
  const cetAdaptorSignatures = reader.adaptorSignatures()
  const refundSignature = reader.bytes(64)
  const fundingSignatures = Array.from({ length: reader.count(1) }, () =>
    Array.from({ length: reader.count(1) }, () => reader.bytes(reader.bigSize())),
  )
  reader.tlvs()
  return { protocolVersion, contractId, cetAdaptorSignatures, refundSignature, fundingSignatures }
}

/**
 * dlcspecs' `contract_id`: the funding txid (in the byte order it is displayed) XOR the
 * temporary contract id, the funding output index XORed into the last two bytes (big-endian).
 */
export function dlcContractId(
  fundTxid: string,
  fundOutputIndex: number,
  temporaryId: Uint8Array,
): Uint8Array {
  const txid = fromHex(fundTxid, 32, 'funding txid')
  const id = txid.map((byte, i) => byte ^ temporaryId[i]!)
  id[30] = id[30]! ^ ((fundOutputIndex >> 8) & 0xff)
  id[31] = id[31]! ^ (fundOutputIndex & 0xff)
  return id
}
