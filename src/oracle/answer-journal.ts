/**
 * An optional, append-only journal of the answers the oracle has signed, one per question
 * (capability key + arguments). The endpoint is stateless by design, so by itself it signs
 * whatever its fact source says *now*; if a source changes its mind about a question already
 * answered, the second fact reveals the capability key (same Schnorr nonce) and makes a
 * verifiable `fact-conflict` report. The journal refuses that second, different answer.
 *
 * Format: JSON lines `{"request": <requestKey>, "answer": "…"}`, appended before a fact leaves.
 */
import { appendFile, readFile } from 'node:fs/promises'
import { type FactRequest, requestKey } from '../protocol/index.ts'
import { OracleError, OracleErrorCode } from './errors.ts'

export class AnswerJournal {
  readonly path: string
  readonly #answers: Map<string, string>

  private constructor(path: string, answers: Map<string, string>) {
    this.path = path
    this.#answers = answers
  }

  /** Opens (or starts) the journal at `path`. Throws `STATE_INVALID` for a line that does not parse. */
  static async open(path: string): Promise<AnswerJournal> {
    const answers = new Map<string, string>()
    let text = ''
    try {
      text = await readFile(path, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
    for (const [index, line] of text.split('\n').entries()) {
      if (line.trim() === '') continue
      try {
        const entry = JSON.parse(line) as { request: string; answer: string }
        if (typeof entry.request !== 'string' || typeof entry.answer !== 'string') throw new Error('fields')
        answers.set(entry.request, entry.answer)
      } catch {
        throw new OracleError(OracleErrorCode.STATE_INVALID, `${path}:${index + 1} is not a journal entry`)
      }
    }
    return new AnswerJournal(path, answers)
  }

  /** Number of questions answered. */
  get size(): number {
    return this.#answers.size
  }

  /** The answer signed for `request`'s question, if any. */
  answerOf(request: FactRequest): string | undefined {
    return this.#answers.get(requestKey(request))
  }

  /**
   * Records `answer` for `request`'s question, or throws `SOURCE_ANSWER_CHANGED` when a different
   * answer was signed before. Resolves once the entry is appended (before the fact is sent).
   */
  async record(request: FactRequest, answer: string): Promise<void> {
    const key = requestKey(request)
    const previous = this.#answers.get(key)
    if (previous === answer) return
    if (previous !== undefined) {
      throw new OracleError(
        OracleErrorCode.SOURCE_ANSWER_CHANGED,
        `the source now answers ${JSON.stringify(answer)} but ${JSON.stringify(previous)} was signed before; refusing to equivocate`,
      )
    }
    this.#answers.set(key, answer)
    await appendFile(this.path, `${JSON.stringify({ request: key, answer })}\n`, { mode: 0o600 })
  }
}
