/**
 * The trader page's *Offers* section: the order book (matches to our offers marked, our
 * offers' settlement from the facts held), a new offer with its quorum and synonyms, accept
 * and finalize with sealed details.
 */
import { useEffect, useState } from 'preact/hooks'
import { LIMITS, type Offer } from '../protocol/index.ts'
import {
  ErrorLine,
  filledArgs,
  MiningControls,
  ParamSelects,
  Progress,
  session,
  short,
  TextField,
  useAction,
  useMining,
  WorkInput,
} from './ui.tsx'

/** A request picked in the form: a capability and a value for each of its parameters. */
interface PickedRequest {
  capability: string
  args: Record<string, string>
}

/** The request `picked` names, every parameter filled (its first value unless chosen). */
function requestOf(picked: PickedRequest) {
  return {
    capability: picked.capability,
    args: filledArgs(session.capability(picked.capability), picked.args),
  }
}

/** The capabilities held, as options of a capability select: question and short key. */
function CapabilityOptions() {
  return (
    <>
      {session.capabilities().map((c) => (
        <option key={c.capabilityKey} value={c.capabilityKey}>
          {c.question} ({short(c.capabilityKey)})
        </option>
      ))}
    </>
  )
}

/** A synonym row: fact answers (`words`) that count as `answer`, for one request or all. */
interface SynonymRow {
  scope: string
  answer: string
  words: string
}

/** What the facts held say of an offer of ours: settled (and who wins), pending or deadlocked. */
function SettlementLine({ offer, me }: { offer: Offer; me: string }) {
  const settlement = session.settle(offer)
  const agreeing = settlement.tally[0]?.requests ?? 0
  const mine = offer.terms.originator === me ? 'originator' : 'acceptor'
  return (
    <span class="settlement" data-status={settlement.status}>
      {' '}
      — {settlement.status}
      {settlement.outcome !== undefined && ` on ${settlement.outcome}`} ({agreeing} of {settlement.threshold}{' '}
      agreeing)
      {settlement.winner === 'void'
        ? ': void, stakes back'
        : settlement.winner && (settlement.winner === mine ? ': you win' : ': you lose')}
    </span>
  )
}

export function Offers({ version, onChange }: { version: number; onChange: () => void }) {
  const capabilities = session.capabilities()
  const [capabilityKey, setCapabilityKey] = useState('')
  const [args, setArgs] = useState<Record<string, string>>({})
  const [bet, setBet] = useState('')
  const [amount, setAmount] = useState(100)
  const [theirAmount, setTheirAmount] = useState<number>()
  const [against, setAgainst] = useState<string[]>()
  const [chain, setChain] = useState('bitcoin')
  const [hours, setHours] = useState(24)
  const [quorum, setQuorum] = useState<PickedRequest[]>([])
  const [threshold, setThreshold] = useState('')
  const [synonyms, setSynonyms] = useState<SynonymRow[]>([])
  const [contact, setContact] = useState('')
  const [details, setDetails] = useState('')
  const [bits, setBits] = useState(12)
  const [opened, setOpened] = useState<Record<string, string | undefined>>({})
  const mining = useMining()
  const { busy, error, run } = useAction()
  const capability = capabilities.find((c) => c.capabilityKey === capabilityKey) ?? capabilities[0]
  const offers = session.offers()
  const matches = session.matches()
  const me = session.key?.publicKey
  useEffect(() => {
    void Promise.all(offers.map(async ({ key, offer }) => [key, await session.details(offer)] as const)).then(
      (pairs) => setOpened(Object.fromEntries(pairs)),
    )
  }, [version, me])
  const stage = (offer: Offer) => ['open', 'accepted', 'finalized'][offer.seqNo] ?? String(offer.seqNo)
  const requested = [capability?.capabilityKey, ...quorum.map((q) => q.capability)]
  const myBet = bet || capability?.answers[0] || ''
  const theirBets = against ?? capability?.answers.filter((answer) => answer !== myBet) ?? []
  const mine = async (work: () => Promise<unknown>) => {
    try {
      await work()
      onChange()
    } finally {
      mining.done()
    }
  }
  return (
    <section aria-labelledby="offers-heading">
      <h2 id="offers-heading">Offers</h2>
      <button
        type="button"
        id="refresh-offers"
        disabled={busy}
        onClick={() => void run(() => session.refreshOffers().then(onChange))}
      >
        Fetch the order book
      </button>
      {capability && (
        <form
          onSubmit={(event) => {
            event.preventDefault()
            const scoped = synonyms.filter((row) => row.words.trim() !== '')
            void run(() =>
              mine(() =>
                session.publishOffer(
                  {
                    capability,
                    args: requestOf({ capability: capability.capabilityKey, args }).args,
                    bets: [myBet],
                    ...(against && { acceptorBets: against.filter((answer) => answer !== myBet) }),
                    amount,
                    acceptorAmount: theirAmount ?? amount,
                    chain,
                    contact,
                    expires: session.now() + Math.round(hours * 3600),
                    ...(quorum.length > 0 && { quorum: quorum.map(requestOf) }),
                    ...(threshold !== '' && { threshold: Number(threshold) }),
                    ...(scoped.length > 0 && {
                      synonyms: scoped.map((row) => ({
                        answer: row.answer,
                        synonyms: row.words.split(',').map((word) => word.trim()),
                        ...(row.scope !== '' && { capability: row.scope }),
                      })),
                    }),
                  },
                  { bits, ...mining.start() },
                ),
              ),
            )
          }}
        >
          <fieldset>
            <legend>New offer</legend>
            <label>
              Capability{' '}
              <select
                id="offer-capability"
                value={capability.capabilityKey}
                onChange={(e) => {
                  setCapabilityKey(e.currentTarget.value)
                  setArgs({})
                  setBet('')
                  setAgainst(undefined)
                }}
              >
                <CapabilityOptions />
              </select>
            </label>
            <ParamSelects
              capabilityKey={capability.capabilityKey}
              prefix="offer-"
              args={args}
              setArgs={setArgs}
            />{' '}
            <label>
              I bet on{' '}
              <select
                id="offer-bet"
                value={bet || capability.answers[0]}
                onChange={(e) => setBet(e.currentTarget.value)}
              >
                {capability.answers.map((answer) => (
                  <option key={answer}>{answer}</option>
                ))}
              </select>
            </label>{' '}
            <fieldset>
              <legend>They bet on</legend>
              {capability.answers
                .filter((answer) => answer !== myBet)
                .map((answer) => (
                  <label key={answer}>
                    <input
                      type="checkbox"
                      name={`offer-against-${answer}`}
                      checked={theirBets.includes(answer)}
                      onChange={(e) =>
                        setAgainst(
                          e.currentTarget.checked
                            ? [...theirBets, answer]
                            : theirBets.filter((other) => other !== answer),
                        )
                      }
                    />{' '}
                    {answer}{' '}
                  </label>
                ))}
            </fieldset>{' '}
            <label>
              Stake each{' '}
              <input
                id="offer-amount"
                type="number"
                min={1}
                value={amount}
                onInput={(e) => setAmount(Number(e.currentTarget.value))}
              />
            </label>{' '}
            <label>
              Their stake{' '}
              <input
                id="offer-acceptor-amount"
                type="number"
                min={1}
                value={theirAmount ?? amount}
                onInput={(e) => setTheirAmount(Number(e.currentTarget.value))}
              />
            </label>{' '}
            <TextField label="Chain" id="offer-chain" size={8} value={chain} onValue={setChain} />{' '}
            <label>
              Expires in{' '}
              <input
                id="offer-expires"
                type="number"
                min={1}
                value={hours}
                onInput={(e) => setHours(Number(e.currentTarget.value))}
              />{' '}
              hours
            </label>{' '}
            <WorkInput id="offer-bits" bits={bits} setBits={setBits} />
            <fieldset>
              <legend>Quorum: more oracles that must agree (k of n)</legend>
              {quorum.map((picked, index) => (
                <p key={index} class="quorum">
                  <label>
                    Request {index + 2}{' '}
                    <select
                      name={`quorum-${index}`}
                      value={picked.capability}
                      onChange={(e) =>
                        setQuorum(
                          quorum.map((q, i) =>
                            i === index ? { capability: e.currentTarget.value, args: {} } : q,
                          ),
                        )
                      }
                    >
                      <CapabilityOptions />
                    </select>
                  </label>
                  <ParamSelects
                    capabilityKey={picked.capability}
                    prefix={`quorum-${index}-`}
                    args={picked.args}
                    setArgs={(next) =>
                      setQuorum(quorum.map((q, i) => (i === index ? { ...q, args: next } : q)))
                    }
                  />{' '}
                  <button type="button" onClick={() => setQuorum(quorum.filter((_, i) => i !== index))}>
                    Remove
                  </button>
                </p>
              ))}
              <button
                type="button"
                id="add-quorum"
                disabled={quorum.length >= LIMITS.quorum}
                onClick={() =>
                  setQuorum([
                    ...quorum,
                    {
                      capability: (
                        capabilities.find((c) => !requested.includes(c.capabilityKey)) ?? capability
                      ).capabilityKey,
                      args: {},
                    },
                  ])
                }
              >
                Add a request
              </button>{' '}
              <label>
                Agreeing{' '}
                <input
                  id="offer-threshold"
                  type="number"
                  min={1}
                  max={quorum.length + 1}
                  placeholder={String(quorum.length + 1)}
                  value={threshold}
                  onInput={(e) => setThreshold(e.currentTarget.value)}
                />{' '}
                of {quorum.length + 1}
              </label>
            </fieldset>
            <fieldset>
              <legend>Synonyms: answers worded differently that count as one of ours</legend>
              {synonyms.map((row, index) => {
                const update = (change: Partial<SynonymRow>) =>
                  setSynonyms(synonyms.map((r, i) => (i === index ? { ...r, ...change } : r)))
                return (
                  <p key={index} class="synonym">
                    <label>
                      For{' '}
                      <select
                        name={`synonym-${index}-scope`}
                        value={row.scope}
                        onChange={(e) => update({ scope: e.currentTarget.value })}
                      >
                        <option value="">every request</option>
                        {requested.map((key) => (
                          <option key={key} value={key}>
                            {short(key ?? '')}
                          </option>
                        ))}
                      </select>
                    </label>{' '}
                    <label>
                      the answers{' '}
                      <input
                        name={`synonym-${index}-words`}
                        value={row.words}
                        placeholder="1, home win"
                        onInput={(e) => update({ words: e.currentTarget.value })}
                      />
                    </label>{' '}
                    <label>
                      count as{' '}
                      <select
                        name={`synonym-${index}-answer`}
                        value={row.answer}
                        onChange={(e) => update({ answer: e.currentTarget.value })}
                      >
                        {capability.answers.map((answer) => (
                          <option key={answer}>{answer}</option>
                        ))}
                      </select>
                    </label>
                  </p>
                )
              })}
              <button
                type="button"
                id="add-synonym"
                disabled={synonyms.length >= LIMITS.synonyms}
                onClick={() =>
                  setSynonyms([...synonyms, { scope: '', answer: capability.answers[0]!, words: '' }])
                }
              >
                Add a synonym
              </button>
            </fieldset>
            <button type="submit" id="publish-offer" disabled={busy || !me}>
              Mine and publish
            </button>
          </fieldset>
        </form>
      )}
      <p>
        <TextField label="Contact" id="contact" value={contact} onValue={setContact} />{' '}
        <TextField
          label="Sealed details for the counterparty"
          id="sealed-details"
          value={details}
          onValue={setDetails}
        />
      </p>
      <Progress id="offer-mining" progress={mining.progress} />
      <MiningControls
        kind="offer"
        mining={mining}
        busy={busy}
        onResume={() => void run(() => mine(() => session.resume(mining.start())))}
      />
      <ErrorLine text={error} />
      <ul id="book">
        {offers.map(({ key, offer }) => {
          const match = matches.find((m) => m.key === key)
          return (
            <li key={key} data-offer={key} data-stage={stage(offer)}>
              <code>{short(key)}</code> {stage(offer)}: {offer.terms.originatorBets.join('/')} (
              {offer.terms.originatorAmount}) vs {offer.terms.acceptorBets.join('/')} (
              {offer.terms.acceptorAmount}) on {short(offer.terms.question.capability)}
              {offer.terms.quorum &&
                ` + ${offer.terms.quorum.map((q) => short(q.capability)).join(' + ')}, ${offer.terms.threshold ?? offer.terms.quorum.length + 1} of ${offer.terms.quorum.length + 1} agreeing`}
              {offer.terms.synonyms?.map((synonym) => (
                <span key={synonym.answer + synonym.synonyms.join()} class="synonyms">
                  {' '}
                  ({synonym.synonyms.join(', ')} = {synonym.answer}
                  {synonym.capability && ` on ${short(synonym.capability)}`})
                </span>
              ))}
              {offer.terms.originator === me && ' — yours'}
              {offer.acceptance?.acceptor === me && ' — accepted by you'}
              {(offer.terms.originator === me || offer.acceptance?.acceptor === me) && (
                <SettlementLine offer={offer} me={me!} />
              )}
              {match && (
                <strong class="match">
                  {' '}
                  — matches your offer {short(match.mine)}: odds ×{match.oddsRatio.toFixed(2)}, fills{' '}
                  {Math.round(match.fill * 100)}%
                </strong>
              )}
              {opened[key] !== undefined && (
                <span class="sealed">
                  {' '}
                  sealed for you: <q>{opened[key]}</q>
                </span>
              )}{' '}
              {me && offer.seqNo === 0 && offer.terms.originator !== me && (
                <button
                  type="button"
                  disabled={busy}
                  onClick={() =>
                    void run(() => session.accept(key, contact, details || undefined).then(onChange))
                  }
                >
                  Accept
                </button>
              )}
              {me && offer.seqNo === 1 && offer.terms.originator === me && (
                <button
                  type="button"
                  disabled={busy}
                  onClick={() => void run(() => session.finalize(key, details || undefined).then(onChange))}
                >
                  Finalize
                </button>
              )}
            </li>
          )
        })}
      </ul>
    </section>
  )
}
