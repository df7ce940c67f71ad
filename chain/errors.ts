/**
 * Errors of the chain/ folder, classified by what the caller can do about them.
 * Every class sets `name` and keeps `cause`, so logs show the whole chain of failure.
 */

export class ChainError extends Error {
  override name = 'ChainError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Contract compilation failed (solc reported errors or a source could not be read). */
export class ContractBuildError extends ChainError {
  override name = 'ContractBuildError';
}

/** The devnet could not start or stop. Not retryable without a change (port, config). */
export class DevnetError extends ChainError {
  override name = 'DevnetError';
}

/** The requested devnet port is taken by another process. */
export class PortInUseError extends DevnetError {
  override name = 'PortInUseError';
  constructor(
    readonly port: number,
    readonly host: string,
    options?: { cause?: unknown },
  ) {
    super(`port ${port} is already in use (host ${host})`, options);
  }
}

/** The devnet process started but its JSON-RPC did not answer in time. Retryable. */
export class DevnetTimeoutError extends DevnetError {
  override name = 'DevnetTimeoutError';
}

/** Deploying the protocol failed (a transaction reverted or the RPC failed). */
export class DeployError extends ChainError {
  override name = 'DeployError';
}

/** A deployment file is missing, unreadable or does not match the Deployment shape. */
export class DeploymentFileError extends ChainError {
  override name = 'DeploymentFileError';
  constructor(
    readonly file: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${message}`, options);
  }
}

/** The simulator's model and the chain disagree, or one of its transactions failed. */
export class SimulatorError extends ChainError {
  override name = 'SimulatorError';
}

/** The simulator's environment configuration is invalid. */
export class SimulatorConfigError extends ChainError {
  override name = 'SimulatorConfigError';
}

/** The epoch keeper failed: an RPC error, a reverted post, or a chain history it cannot reproduce. */
export class KeeperError extends ChainError {
  override name = 'KeeperError';
  constructor(
    message: string,
    /** True when the next poll may succeed (RPC down, a race with a registration). */
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The keeper process's environment configuration is invalid. */
export class KeeperConfigError extends ChainError {
  override name = 'KeeperConfigError';
}
