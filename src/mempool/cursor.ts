/**
 * Opaque paging cursors: the sort key of the last item a page returned, so the next page
 * starts right after it in the ordered index in O(log n), never by counting an offset.
 *
 * A cursor is URL-safe text (`oracles.<score>.<key>`) that a client hands back unchanged; its
 * form is not part of the API. Each part is checked on the way in: a cursor never becomes
 * anything but a key to seek to.
 */
import { CodedError, type ReasonCode } from '../protocol/index.ts'

/** The API's code for a cursor this node did not issue (the catalogue's `api` area). */
const BAD_CURSOR = 'BAD_CURSOR' satisfies ReasonCode<'api'>

/** Thrown when a query gets a cursor it did not make (or one of another listing). */
export class CursorError extends CodedError<typeof BAD_CURSOR> {
  static override name = 'CursorError'
  override readonly name = 'CursorError'

  constructor(message = 'cursor is not one this node issued for this listing') {
    super(BAD_CURSOR, message)
  }
}

/** Most characters of a cursor: two amounts and two keys fit with room to spare. */
export const MAX_CURSOR_LENGTH = 512

const DECIMAL = /^-?(?:0|[1-9][0-9]{0,99})$/
const KEY = /^[0-9a-f]{64}$/

/** Encodes the parts of a sort key (decimal integers and hex keys) under the listing's name. */
export function encodeCursor(listing: string, parts: readonly (string | bigint)[]): string {
  return [listing, ...parts.map(String)].join('.')
}

/**
 * Decodes a cursor of `listing` whose parts have the given shapes (`n` a decimal integer,
 * `k` a 32-byte hex key). Throws {@link CursorError} when it is malformed, too long, of
 * another listing, or of another shape.
 */
export function decodeCursor(cursor: string, listing: string, shape: readonly ('n' | 'k')[]): string[] {
  if (cursor.length > MAX_CURSOR_LENGTH) throw new CursorError()
  const [name, ...parts] = cursor.split('.')
  if (name !== listing || parts.length !== shape.length) throw new CursorError()
  parts.forEach((part, i) => {
    if (!(shape[i] === 'n' ? DECIMAL : KEY).test(part)) throw new CursorError()
  })
  return parts
}
