// The one error type the CLI turns into "exit 2 with a one-line message".
export class UsageError extends Error {
  override readonly name = 'UsageError'
}
