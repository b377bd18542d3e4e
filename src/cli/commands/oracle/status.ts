/** `mega oracle status`: the oracle's ad and capabilities, and what each node holds of them. */
import { type OracleStatus, oracleStatus } from '../../../oracle/index.ts'
import type { Command } from '../../command.ts'
import { dirOption, jsonOption, oracleDir, output } from './common.ts'

export const oracleStatusCommand: Command = {
  name: 'status',
  summary: 'Show the oracle (key, work, capabilities) and how nodes rank it; no passphrase needed',
  usage: 'mega oracle status [--node URL…] [--dir D] [--json]',
  options: {
    node: {
      type: 'string',
      multiple: true,
      description: 'a node’s REST URL (repeatable)',
      placeholder: 'url',
    },
    ...dirOption,
    ...jsonOption,
  },
  examples: ['mega oracle status --node http://127.0.0.1:8080'],
  async run({ values }, io) {
    const nodes = (values.node as string[] | undefined) ?? []
    const status = await oracleStatus(oracleDir(values), nodes)
    output(io, Boolean(values.json), status, describe(status))
    return 0
  },
}

function describe(status: OracleStatus): string {
  const lines = [`oracle ${status.oracle.pubkey} (${status.oracle.scheme})`]
  lines.push(
    status.ad
      ? `  ad: ${status.ad.bits} bits, seqNo ${status.ad.seqNo}, tags ${status.ad.tags.join(',') || '-'}${status.ad.manifestUri ? `, manifest ${status.ad.manifestUri}` : ''}`
      : '  ad: not mined yet (mega oracle mine --bits N)',
  )
  for (const c of status.capabilities) {
    lines.push(
      `  ${c.label}: ${c.off ? 'off' : 'on'}, ${c.bits} bits, ${c.attestation}, source ${c.source ?? 'none'}, key ${c.key}`,
    )
  }
  for (const node of status.nodes) {
    if (node.status !== 'held') {
      lines.push(`${node.node}: ${node.status === 'absent' ? 'does not hold the oracle' : 'unreachable'}`)
      continue
    }
    const bits = (value: number | undefined) => (value ?? 0).toFixed(2)
    lines.push(
      `${node.node}: held (seqNo ${node.seqNo}), identity ${bits(node.identityBits)} bits, strength ${bits(node.strengthBits)}, score ${bits(node.scoreBits)}; ${node.capabilities?.length ?? 0} capabilities; reports ${node.reports?.total ?? 0} (${node.reports?.counting ?? 0} counting, ${node.reports?.openFactMissing ?? 0} fact-missing open)`,
    )
  }
  return lines.join('\n')
}
