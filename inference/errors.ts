// Errors of inference/, classified by what the caller should do: a model that cannot load is an
// operator problem (fix the model directory and restart); a request error is the client's to fix.

/** A model in the registry could not be loaded: the service refuses to start with it. */
export class ModelLoadError extends Error {
  override name = 'ModelLoadError';
  constructor(
    readonly modelPath: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${modelPath}: ${message}`, options);
  }
}

/** manifest.json is missing, not JSON, or does not follow the manifest schema. */
export class ManifestInvalidError extends ModelLoadError {
  override name = 'ManifestInvalidError';
}

/** model.onnx is missing or onnxruntime cannot parse it. */
export class ModelFileError extends ModelLoadError {
  override name = 'ModelFileError';
}

/** The ONNX graph's inputs/outputs disagree with what the manifest promises. */
export class ModelMismatchError extends ModelLoadError {
  override name = 'ModelMismatchError';
}

/**
 * A new version that loads but cannot replace the one serving without breaking clients: its input
 * columns differ (rows sent in the old order would be scored wrongly or refused). Reload with
 * allowInputChange, or restart, when that change is intended.
 */
export class ModelIncompatibleError extends ModelLoadError {
  override name = 'ModelIncompatibleError';
}

/** No execution provider of the configured list could create a session. */
export class ExecutionProviderError extends Error {
  override name = 'ExecutionProviderError';
}

/** Stable codes of request errors; the gateway matches on these, so never rename one. */
export const InferenceErrorCode = {
  BAD_JSON: 'BAD_JSON',
  INVALID_REQUEST: 'INVALID_REQUEST',
  INVALID_ADDRESS: 'INVALID_ADDRESS',
  WRONG_ROW_LENGTH: 'WRONG_ROW_LENGTH',
  INVALID_NUMBER: 'INVALID_NUMBER',
  TOO_MANY_ROWS: 'TOO_MANY_ROWS',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNKNOWN_MODEL: 'UNKNOWN_MODEL',
  UNKNOWN_ADDRESS: 'UNKNOWN_ADDRESS',
  ADDRESS_SCORING_UNAVAILABLE: 'ADDRESS_SCORING_UNAVAILABLE',
  NOT_FOUND: 'NOT_FOUND',
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  /** /admin/* without the right bearer token. */
  UNAUTHORIZED: 'UNAUTHORIZED',
  /** /admin/* while no INFERENCE_ADMIN_TOKEN is configured. */
  ADMIN_DISABLED: 'ADMIN_DISABLED',
  /** A reload found the new version corrupt, mismatched or incompatible; the old one keeps serving. */
  RELOAD_REFUSED: 'RELOAD_REFUSED',
  /** The service is shutting down. */
  UNAVAILABLE: 'UNAVAILABLE',
  INTERNAL: 'INTERNAL',
} as const;
export type InferenceErrorCode = (typeof InferenceErrorCode)[keyof typeof InferenceErrorCode];

const STATUS: Record<InferenceErrorCode, number> = {
  BAD_JSON: 400,
  INVALID_REQUEST: 400,
  INVALID_ADDRESS: 400,
  WRONG_ROW_LENGTH: 400,
  INVALID_NUMBER: 400,
  TOO_MANY_ROWS: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNKNOWN_MODEL: 400,
  UNKNOWN_ADDRESS: 404,
  ADDRESS_SCORING_UNAVAILABLE: 503,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  UNAUTHORIZED: 401,
  ADMIN_DISABLED: 403,
  RELOAD_REFUSED: 409,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

/** An error a client caused (or, for INTERNAL, one it may retry); carries its HTTP status. */
export class InferenceRequestError extends Error {
  override name = 'InferenceRequestError';
  readonly status: number;
  constructor(
    readonly code: InferenceErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.status = STATUS[code];
  }
}

/** listen() found the port taken; main.ts turns it into one line and exit 1. */
export class PortInUseError extends Error {
  override name = 'PortInUseError';
  constructor(
    readonly port: number,
    readonly host: string,
  ) {
    super(`port ${port} is already in use`);
  }
}
