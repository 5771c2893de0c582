/**
 * A problem the operator can fix (a missing tool, a sealed Vault, a wrong flag): printed as one message that
 * says what happened, why and what to do, with no stack trace, and ending the command with `exitCode`.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 1,
  ) {
    super(message);
    this.name = "UserError";
  }
}
