/**
 * Pieces shared by the route schemas: JSON and problem responses, and the paging query.
 */
import Type from 'typebox'
import { PROBLEM_TYPE } from '../../http/index.ts'
import { MAX_CURSOR_LENGTH } from '../../mempool/index.ts'
import { Hex32 } from '../../protocol/index.ts'
import { ref } from '../schemas.ts'

const DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed request: bad JSON, bad query parameter or cursor',
  404: 'Not held by this node',
  409: 'Low PoW: `requiredBits` says how many bits would enter now',
  413: 'Body over the size limit',
  415: 'Body is not application/json (UNSUPPORTED_MEDIA_TYPE) or declared in a charset other than UTF-8 (UNSUPPORTED_CHARSET)',
  422: 'The message breaks a rule: `code` says which, `path` where',
  429: 'Too many POSTs from this address; see Retry-After',
  503: 'Too many concurrent clients, in all or from this address',
}

/** Problem responses (`application/problem+json`) for the given statuses, plus 500. */
export function problems(...statuses: number[]): Record<number, unknown> {
  const response = (description: string) => ({
    description,
    content: { [PROBLEM_TYPE]: { schema: ref('Problem') } },
  })
  const out: Record<number, unknown> = { 500: response('The node failed; see its log') }
  for (const status of statuses) out[status] = response(DESCRIPTIONS[status] ?? 'Error')
  return out
}

/** A JSON response of a shared schema. */
export function json(description: string, id: string): unknown {
  return { description, content: { 'application/json': { schema: ref(id) } } }
}

/** `limit` and `cursor`, the paging parameters of every listing. */
export const pagingQuery = {
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'items per page' }),
  ),
  cursor: Type.Optional(
    Type.String({ maxLength: MAX_CURSOR_LENGTH, description: '`next` of the previous page, unchanged' }),
  ),
}

/** `oracle`, the filter of the listings about oracles. */
export const oracleQuery = Type.Optional(Type.String({ ...Hex32, description: 'only this oracle’s' }))
