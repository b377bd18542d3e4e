/**
 * The optional payment check before committing (`serve --payment-command`): a program the
 * operator provides (e.g. a Lightning invoice lookup) is run with `invoice=<invoice>` and
 * `capability=<key>` as argv entries, never through a shell; exit code 0 means paid.
 */
import type { PaymentCheck } from './endpoint.ts'
import { runCommand } from './sources.ts'

/** A {@link PaymentCheck} that runs `command`; a missing invoice is passed as `invoice=`. */
export function commandPaymentCheck(command: string[], timeoutMs?: number): PaymentCheck {
  return async (request) => {
    try {
      await runCommand({ command, ...(timeoutMs !== undefined && { timeoutMs }) }, [
        `invoice=${request.invoice ?? ''}`,
        `capability=${request.capability}`,
      ])
      return { paid: true }
    } catch (error) {
      return { paid: false, reason: `payment check refused: ${(error as Error).message}` }
    }
  }
}
