/**
 * The trader page's *Report cheating* section: evidence the page holds (detection) or nodes
 * caught, evidence given by others, disagreements with public sources and free-form
 * complaints — each checked as nodes will, signed (or anonymous), mined in Web Workers, posted.
 */
import { useState } from 'preact/hooks'
import type { ReportProposal } from '../trader/detect.ts'
import { factDisagreesWithPublic, freeForm } from '../trader/reports.ts'
import type { Posted } from './session.ts'
import {
  ErrorLine,
  MiningControls,
  Progress,
  session,
  short,
  TextField,
  useAction,
  useMining,
  WorkInput,
} from './ui.tsx'

export function Reports({ version, onChange }: { version: number; onChange: () => void }) {
  const [proposals, setProposals] = useState<ReportProposal[]>([])
  const [caught, setCaught] = useState<Awaited<ReturnType<typeof session.nodeConflicts>>>()
  const [bits, setBits] = useState(16)
  const [anonymous, setAnonymous] = useState(false)
  const [filed, setFiled] = useState<string>()
  const [byHandOracle, setByHandOracle] = useState('')
  const [comment, setComment] = useState('')
  const [linksText, setLinksText] = useState('')
  const [evidence, setEvidence] = useState('')
  const [disputed, setDisputed] = useState('')
  const [publicAnswer, setPublicAnswer] = useState('')
  const [publicLinks, setPublicLinks] = useState('')
  const [publicComment, setPublicComment] = useState('')
  const oracles = session.store.latest('oracle').map((stored) => stored.message.pubkey)
  // Facts kept (own or imported) whose capability is held: what a disagreement can quote.
  const held = new Set(session.capabilities().map((c) => c.capabilityKey))
  const facts = session.store.list('fact').filter(({ message }) => held.has(message.request.capability))
  const fact = (facts.find((f) => f.id === disputed) ?? facts[0])?.message
  const factCapability = fact && session.capability(fact.request.capability)
  const publicAnswers = factCapability?.answers.filter((answer) => answer !== fact?.answer) ?? []
  const mining = useMining()
  const { busy, error, run } = useAction()
  void version
  const shown = (posted: Posted[]) => {
    setFiled(`filed: ${posted.map((p) => `${p.url} answered ${p.status}`).join(', ')}`)
    setProposals(session.detect())
    if (caught) void session.nodeConflicts().then(setCaught, () => undefined)
    onChange()
  }
  const file = (proposal: Pick<ReportProposal, 'oracle' | 'content'>) =>
    void run(async () => {
      try {
        shown((await session.fileReport(proposal, { bits, ...mining.start() }, anonymous)).posted)
      } finally {
        mining.done()
      }
    })
  const links = (text: string) => text.split(/\s+/).filter((link) => link.length > 0)
  return (
    <section aria-labelledby="report-heading">
      <h2 id="report-heading">Report cheating</h2>
      <button type="button" id="detect" onClick={() => setProposals(session.detect())}>
        Look for evidence
      </button>{' '}
      <WorkInput id="report-bits" bits={bits} setBits={setBits} />{' '}
      <label>
        <input
          id="report-anonymous"
          type="checkbox"
          checked={anonymous}
          onChange={(e) => setAnonymous(e.currentTarget.checked)}
        />{' '}
        anonymous (names no reporter)
      </label>
      {proposals.length === 0 ? <p id="no-evidence">No reportable evidence found.</p> : null}
      <ul id="proposals">
        {proposals.map((proposal, i) => (
          <li key={i}>
            {proposal.content.type} against <code>{short(proposal.oracle)}</code> ({proposal.verdict}):{' '}
            {proposal.reason}{' '}
            <button type="button" disabled={busy} onClick={() => file(proposal)}>
              Mine and file
            </button>
          </li>
        ))}
      </ul>
      <button
        type="button"
        id="node-conflicts"
        disabled={busy}
        onClick={() => void run(async () => setCaught(await session.nodeConflicts()))}
      >
        Conflicts the nodes caught
      </button>
      {caught && (
        <div role="status">
          {caught.conflicts.length === 0 && <p>No conflicts held by the nodes.</p>}
          <ul id="conflicts">
            {caught.conflicts.map((conflict) => (
              <li key={conflict.subject} data-verdict={conflict.verdict}>
                {conflict.type}: {conflict.content.type} against <code>{short(conflict.oracle)}</code> (
                {conflict.verdict}) from {conflict.nodes.join(', ')}
                {conflict.filed ? (
                  ' — filed'
                ) : conflict.verdict === 'verified' ? (
                  <>
                    {' '}
                    <button type="button" disabled={busy} onClick={() => file(conflict)}>
                      Mine and file
                    </button>
                  </>
                ) : null}
              </li>
            ))}
            {caught.rejected.map((r) => (
              <li key={r.node + r.reason}>
                ignored {r.node}: {r.reason}
              </li>
            ))}
          </ul>
        </div>
      )}
      <details>
        <summary>Evidence from elsewhere</summary>
        <TextField
          label="A fact, commitment or ad someone gave you (JSON)"
          id="import-evidence"
          multiline
          value={evidence}
          onValue={setEvidence}
        />{' '}
        <button
          type="button"
          id="add-evidence"
          onClick={() =>
            void run(async () => {
              // Checked as any message (schema, signatures, work) before it is kept; detection then sees it.
              session.store.put(JSON.parse(evidence), { origin: 'import' })
              setEvidence('')
              setProposals(session.detect())
              onChange()
            })
          }
        >
          Check and keep
        </button>
      </details>
      {fact && factCapability && (
        <form
          onSubmit={(event) => {
            event.preventDefault()
            const answer = publicAnswer || publicAnswers[0]!
            file({
              oracle: factCapability.oracle,
              content: factDisagreesWithPublic(
                factCapability,
                fact,
                links(publicLinks),
                `public sources give "${answer}"${publicComment ? `: ${publicComment}` : ''}`,
              ),
            })
          }}
        >
          <fieldset>
            <legend>
              A fact that disagrees with public sources (subjective: counted only by policies that count it)
            </legend>
            <label>
              Fact{' '}
              <select
                id="disagree-fact"
                value={disputed || facts[0]?.id}
                onChange={(e) => setDisputed(e.currentTarget.value)}
              >
                {facts.map(({ id, message }) => (
                  <option key={id} value={id}>
                    {message.answer} to {Object.values(message.request.args).join(' ')} ({short(id)})
                  </option>
                ))}
              </select>
            </label>{' '}
            <label>
              Public answer{' '}
              <select
                id="disagree-answer"
                value={publicAnswer || publicAnswers[0]}
                onChange={(e) => setPublicAnswer(e.currentTarget.value)}
              >
                {publicAnswers.map((answer) => (
                  <option key={answer}>{answer}</option>
                ))}
              </select>
            </label>{' '}
            <TextField
              label="Links (space-separated)"
              id="disagree-links"
              value={publicLinks}
              onValue={setPublicLinks}
            />{' '}
            <TextField
              label="Comment"
              id="disagree-comment"
              value={publicComment}
              onValue={setPublicComment}
            />{' '}
            <button type="submit" id="file-disagreement" disabled={busy || publicAnswers.length === 0}>
              Mine and file
            </button>
          </fieldset>
        </form>
      )}
      <form
        onSubmit={(event) => {
          event.preventDefault()
          file({ oracle: byHandOracle || oracles[0]!, content: freeForm(comment, links(linksText)) })
        }}
      >
        <fieldset>
          <legend>
            A complaint in your words (free-form: counted only by policies that count subjective reports)
          </legend>
          <label>
            Oracle{' '}
            <select
              id="free-form-oracle"
              value={byHandOracle || oracles[0]}
              onChange={(e) => setByHandOracle(e.currentTarget.value)}
            >
              {oracles.map((key) => (
                <option key={key} value={key}>
                  {short(key)}
                </option>
              ))}
            </select>
          </label>{' '}
          <TextField label="Comment" id="free-form-comment" value={comment} onValue={setComment} />{' '}
          <TextField
            label="Links (space-separated)"
            id="free-form-links"
            value={linksText}
            onValue={setLinksText}
          />{' '}
          <button
            type="submit"
            id="file-free-form"
            disabled={busy || oracles.length === 0 || comment.length === 0}
          >
            Mine and file
          </button>
        </fieldset>
      </form>
      <Progress id="report-mining" progress={mining.progress} />
      <MiningControls
        kind="report"
        mining={mining}
        busy={busy}
        onResume={() =>
          void run(async () => {
            try {
              shown((await session.resume(mining.start())).posted)
            } finally {
              mining.done()
            }
          })
        }
      />
      {filed && (
        <p role="status" id="filed">
          {filed}
        </p>
      )}
      <ErrorLine text={error} />
    </section>
  )
}
