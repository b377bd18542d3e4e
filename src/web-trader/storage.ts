/**
 * What the browser trader keeps between visits, in IndexedDB (database `mega-trader`): the
 * encrypted key (never the plain secret, see keystore.ts) and every message it holds — the
 * trader's own (commitments, facts, reports and offers it made or asked for: the proofs it
 * keeps) and what it collected from nodes, so the page works from what it last saw while the
 * nodes are away. Each is checked again when loaded.
 */
import type { Stored } from '../trader/message-store.ts'
import type { SealedKey } from './keystore.ts'

const DB = 'mega-trader'
const KEYS = 'keys'
const MESSAGES = 'messages'

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1)
    request.onupgradeneeded = () => {
      request.result.createObjectStore(KEYS)
      request.result.createObjectStore(MESSAGES, { keyPath: 'id' })
    }
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })
}

async function run<T>(store: string, mode: IDBTransactionMode, work: (s: IDBObjectStore) => IDBRequest<T>) {
  const db = await open()
  try {
    return await new Promise<T>((resolve, reject) => {
      const request = work(db.transaction(store, mode).objectStore(store))
      request.onsuccess = () => resolve(request.result)
      request.onerror = () => reject(request.error)
    })
  } finally {
    db.close()
  }
}

/** The stored encrypted key, if any. */
export function loadSealedKey(): Promise<SealedKey | undefined> {
  return run(KEYS, 'readonly', (s) => s.get('trader') as IDBRequest<SealedKey | undefined>)
}

export async function saveSealedKey(sealed: SealedKey): Promise<void> {
  await run(KEYS, 'readwrite', (s) => s.put(sealed, 'trader'))
}

export async function deleteSealedKey(): Promise<void> {
  await run(KEYS, 'readwrite', (s) => s.delete('trader'))
}

/** The messages kept from earlier visits. */
export function loadMessages(): Promise<Stored[]> {
  return run(MESSAGES, 'readonly', (s) => s.getAll() as IDBRequest<Stored[]>)
}

export async function saveMessage(stored: Stored): Promise<void> {
  await run(MESSAGES, 'readwrite', (s) => s.put(stored))
}
