/** `mega oracle serve`: the endpoint, optionally answering fact-missing reports as they come. */
import pino from 'pino'
import {
  AnswerJournal,
  buildEndpoint,
  commandPaymentCheck,
  loadState,
  oracleFiles,
  type PaymentCheck,
  servedCapabilities,
  watchDisputes,
  writeManifest,
} from '../../../oracle/index.ts'
import { capabilitySigner } from '../../../protocol/index.ts'
import { CliError, type Command, describeError, integerFlag } from '../../command.ts'
import { argvFlag, dirOption, jsonOption, passphraseOption, unlock } from './common.ts'

export const oracleServeCommand: Command = {
  name: 'serve',
  summary: 'Run the oracle endpoint: capabilities, commitments, facts, manifest',
  usage:
    'mega oracle serve [--host H] [--port P] [--deadline S] [--terms T] [--manifest-domain D] [--payment-command JSON] [--auto-dispute --node URL…] [--dir D]',
  options: {
    host: {
      type: 'string',
      description: 'address to listen on (default 127.0.0.1; put a TLS proxy in front)',
      placeholder: 'host',
    },
    port: { type: 'string', description: 'port (default 8090)', placeholder: 'port' },
    deadline: {
      type: 'string',
      description: 'seconds from a commitment to its deadline (default 86400)',
      placeholder: 'S',
    },
    terms: { type: 'string', description: 'terms text put in every commitment', placeholder: 'text' },
    'manifest-domain': {
      type: 'string',
      description: 'also serve the signed manifest for this domain',
      placeholder: 'domain',
    },
    'payment-command': {
      type: 'string',
      description: 'JSON array [program, arg…] run with invoice=<invoice>; exit 0 = paid',
      placeholder: 'json',
    },
    'cors-origin': {
      type: 'string',
      multiple: true,
      description: 'origin whose pages may read the answers (repeatable; default any: *)',
      placeholder: 'origin',
    },
    stateless: {
      type: 'boolean',
      description: 'no answer journal (replicas): nothing stops a changed source from equivocating',
    },
    'auto-dispute': {
      type: 'boolean',
      description: 'answer fact-missing reports on --node with the signed fact',
    },
    node: {
      type: 'string',
      multiple: true,
      description: 'node REST URL to watch for reports (repeatable)',
      placeholder: 'url',
    },
    'dispute-interval': {
      type: 'string',
      description: 'seconds between report checks (default 30)',
      placeholder: 'S',
    },
    ...dirOption,
    ...passphraseOption,
    ...jsonOption,
  },
  examples: [
    'mega oracle serve --port 8090 --manifest-domain oracle.example',
    'mega oracle serve --auto-dispute --node http://127.0.0.1:8080',
  ],
  async run({ values }, io) {
    const port = integerFlag(values.port, 'port', 0, 65_535) ?? 8090
    const deadlineSeconds = integerFlag(values.deadline, 'deadline', 1, 10 * 365 * 86_400) ?? 86_400
    const disputeInterval = integerFlag(values['dispute-interval'], 'dispute-interval', 1, 86_400) ?? 30
    const nodes = (values.node as string[] | undefined) ?? []
    if (values['auto-dispute'] && nodes.length === 0)
      throw new CliError('--auto-dispute needs at least one --node', 2)
    const payment = paymentCheck(values['payment-command'] as string | undefined)
    const { dir, root } = await unlock(values, io)
    const domain = values['manifest-domain'] as string | undefined
    // What is served, re-read from the oracle directory at start and on SIGHUP.
    const load = async () => {
      const manifest = domain ? await writeManifest(dir, root, domain) : undefined
      const state = await loadState(dir)
      const capabilities = servedCapabilities(state, root)
      for (const served of capabilities) capabilitySigner(served.ad, served.secretKey) // fails loudly now
      return { state, capabilities, manifest }
    }
    let live = await load()
    const journal = values.stateless ? undefined : await AnswerJournal.open(oracleFiles(dir).journal)
    const logger = pino({ level: values.json ? 'info' : 'warn' })
    const app = await buildEndpoint(
      {
        capabilities: () => live.capabilities,
        oracle: () => live.state.ad,
        ...(domain && { manifest: () => live.manifest }),
        ...(payment && { paymentCheck: payment }),
        ...(journal && { journal }),
        logger,
      },
      {
        deadlineSeconds,
        ...(values['cors-origin'] !== undefined && { corsOrigins: values['cors-origin'] as string[] }),
        ...(values.terms !== undefined && { terms: values.terms as string }),
      },
    )
    const url = await app.listen({ host: (values.host as string | undefined) ?? '127.0.0.1', port })
    io.stdout.write(
      values.json
        ? `${JSON.stringify({ url, capabilities: live.capabilities.length })}\n`
        : `oracle endpoint on ${url} serving ${live.capabilities.length} capabilities (SIGHUP reloads them)\n`,
    )
    const controller = new AbortController()
    const watching = values['auto-dispute']
      ? watchDisputes({
          nodes,
          oracle: root.publicKey,
          capabilities: () => live.capabilities,
          ...(journal && { journal }),
          intervalMs: disputeInterval * 1000,
          signal: controller.signal,
          onOutcome: (outcome) => io.stdout.write(`${JSON.stringify({ dispute: outcome })}\n`),
          onError: (error) => io.stderr.write(`dispute watch: ${describeError(error)}\n`),
        })
      : Promise.resolve()
    const reload = () => {
      load().then(
        (fresh) => {
          live = fresh
          io.stdout.write(
            values.json
              ? `${JSON.stringify({ reloaded: fresh.capabilities.length })}\n`
              : `reloaded: serving ${fresh.capabilities.length} capabilities\n`,
          )
        },
        (error: Error) =>
          io.stderr.write(`reload failed, still serving the previous set: ${describeError(error)}\n`),
      )
    }
    process.on('SIGHUP', reload)
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve)
      process.once('SIGTERM', resolve)
    })
    process.off('SIGHUP', reload)
    controller.abort()
    await watching
    await app.close()
    return 0
  },
}

function paymentCheck(flag: string | undefined): PaymentCheck | undefined {
  if (flag === undefined) return undefined
  return commandPaymentCheck(argvFlag(flag, 'payment-command', '["./check-invoice.sh"]'))
}
