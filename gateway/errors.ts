// Every error a client can see, with its stable `extensions.code`, and the one place (formatError)
// that decides what leaves the server: our codes and Apollo's request errors pass through, anything
// else becomes INTERNAL_SERVER_ERROR without its message, SQL or stack.
import { ApolloServerErrorCode, unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLErrorOptions, type GraphQLFormattedError } from 'graphql';

export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  QUERY_TOO_DEEP: 'QUERY_TOO_DEEP',
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  TOO_MANY_ALIASES: 'TOO_MANY_ALIASES',
  RATE_LIMITED: 'RATE_LIMITED',
  OPERATION_NOT_SUPPORTED: 'OPERATION_NOT_SUPPORTED',
  QUERY_TIMEOUT: 'QUERY_TIMEOUT',
  INFERENCE_UNAVAILABLE: 'INFERENCE_UNAVAILABLE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
  // Signed mutations (gateway/mutations): each refusal has its own code, and none changes anything.
  /** The signature is malformed or was not made by the request's `from` over this request. */
  INVALID_SIGNATURE: 'INVALID_SIGNATURE',
  /** The request's nonce was used already (a replay), or a request with it is being relayed now. */
  NONCE_USED: 'NONCE_USED',
  /** The nonce is ahead of the signer's next forwarder nonce: sign again with the one the typed-data query gives. */
  NONCE_TOO_HIGH: 'NONCE_TOO_HIGH',
  /** The request's deadline has passed (on the chain's clock). */
  REQUEST_EXPIRED: 'REQUEST_EXPIRED',
  /** The signer may not do this, by the indexed state (not the job's sender, not its provider, no permit, ...). */
  WRONG_ROLE: 'WRONG_ROLE',
  /** What the request names (a job, a market, a neuron) is not in the index (yet). */
  NOT_FOUND: 'NOT_FOUND',
  INSUFFICIENT_BALANCE: 'INSUFFICIENT_BALANCE',
  /** The token allowance to the market or registry is too small: approve first (approveToken). */
  INSUFFICIENT_ALLOWANCE: 'INSUFFICIENT_ALLOWANCE',
  INSUFFICIENT_STAKE: 'INSUFFICIENT_STAKE',
  /** The contract would revert; `extensions.contractError` names its error and arguments. */
  CONTRACT_REVERTED: 'CONTRACT_REVERTED',
  /** The relayer could not send the transaction or see it mined (RPC down, out of gas money). */
  RELAY_FAILED: 'RELAY_FAILED',
  /** This gateway has no relayer key or no deployment: it serves no mutations. */
  MUTATIONS_UNAVAILABLE: 'MUTATIONS_UNAVAILABLE',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Base of every error the gateway raises on purpose; `code` is what clients branch on. */
export abstract class GatewayError extends GraphQLError {
  abstract readonly code: ErrorCode;
  /** Whether the caller may retry the same request later and succeed. */
  abstract readonly retryable: boolean;
  constructor(message: string, code: ErrorCode, options: GraphQLErrorOptions = {}) {
    super(message, { ...options, extensions: { ...options.extensions, code } });
  }
}

export class BadUserInputError extends GatewayError {
  readonly code = ErrorCode.BAD_USER_INPUT;
  readonly retryable = false;
  constructor(message: string, options?: GraphQLErrorOptions) {
    super(message, ErrorCode.BAD_USER_INPUT, options);
    this.name = 'BadUserInputError';
  }
}

export class QueryTooDeepError extends GatewayError {
  readonly code = ErrorCode.QUERY_TOO_DEEP;
  readonly retryable = false;
  constructor(depth: number, maxDepth: number, options?: GraphQLErrorOptions) {
    super(`query depth ${depth} exceeds the limit of ${maxDepth}`, ErrorCode.QUERY_TOO_DEEP, options);
    this.name = 'QueryTooDeepError';
  }
}

export class QueryTooComplexError extends GatewayError {
  readonly code = ErrorCode.QUERY_TOO_COMPLEX;
  readonly retryable = false;
  constructor(cost: number, maxCost: number, options?: GraphQLErrorOptions) {
    // http.status: Apollo answers errors raised before execution with 500 unless told otherwise.
    super(
      `query cost ${cost} exceeds the budget of ${maxCost}; ask for smaller pages (first) or fewer nested lists`,
      ErrorCode.QUERY_TOO_COMPLEX,
      {
        ...options,
        extensions: { http: { status: 400 } },
      },
    );
    this.name = 'QueryTooComplexError';
  }
}

export class TooManyAliasesError extends GatewayError {
  readonly code = ErrorCode.TOO_MANY_ALIASES;
  readonly retryable = false;
  constructor(aliases: number, maxAliases: number, options?: GraphQLErrorOptions) {
    super(`the operation uses ${aliases} aliases, more than the limit of ${maxAliases}`, ErrorCode.TOO_MANY_ALIASES, options);
    this.name = 'TooManyAliasesError';
  }
}

export class OperationNotSupportedError extends GatewayError {
  readonly code = ErrorCode.OPERATION_NOT_SUPPORTED;
  readonly retryable = false;
  constructor(message: string, options?: GraphQLErrorOptions) {
    super(message, ErrorCode.OPERATION_NOT_SUPPORTED, { ...options, extensions: { http: { status: 400 } } });
    this.name = 'OperationNotSupportedError';
  }
}

export class RateLimitedError extends GatewayError {
  readonly code = ErrorCode.RATE_LIMITED;
  readonly retryable = true;
  constructor(
    readonly retryAfterMs: number,
    options?: GraphQLErrorOptions,
  ) {
    super(`too many requests from this address; retry in ${Math.ceil(retryAfterMs / 1000)} s`, ErrorCode.RATE_LIMITED, options);
    this.name = 'RateLimitedError';
  }
}

export class QueryTimeoutError extends GatewayError {
  readonly code = ErrorCode.QUERY_TIMEOUT;
  readonly retryable = true;
  constructor(options?: GraphQLErrorOptions) {
    super('the query took longer than the statement timeout; narrow the filter or page size', ErrorCode.QUERY_TIMEOUT, options);
    this.name = 'QueryTimeoutError';
  }
}

export class InferenceUnavailableError extends GatewayError {
  readonly code = ErrorCode.INFERENCE_UNAVAILABLE;
  readonly retryable = true;
  constructor(reason: string, options?: GraphQLErrorOptions) {
    super(`inference service unavailable: ${reason}`, ErrorCode.INFERENCE_UNAVAILABLE, options);
    this.name = 'InferenceUnavailableError';
  }
}

/**
 * A signed mutation refused (or failed) before anything changed on chain; `code` says why. One
 * class for the mutation codes: they differ only in code, message and retryability, and the
 * resolvers raise them from one pipeline (gateway/mutations/service.ts).
 */
export type MutationErrorCode =
  | typeof ErrorCode.INVALID_SIGNATURE
  | typeof ErrorCode.NONCE_USED
  | typeof ErrorCode.NONCE_TOO_HIGH
  | typeof ErrorCode.REQUEST_EXPIRED
  | typeof ErrorCode.WRONG_ROLE
  | typeof ErrorCode.NOT_FOUND
  | typeof ErrorCode.INSUFFICIENT_BALANCE
  | typeof ErrorCode.INSUFFICIENT_ALLOWANCE
  | typeof ErrorCode.INSUFFICIENT_STAKE
  | typeof ErrorCode.CONTRACT_REVERTED
  | typeof ErrorCode.RELAY_FAILED
  | typeof ErrorCode.MUTATIONS_UNAVAILABLE;

// Retrying the same signed request can succeed later only for these: the index catching up, and a
// relay that failed for want of the RPC.
const RETRYABLE: ReadonlySet<MutationErrorCode> = new Set([ErrorCode.NOT_FOUND, ErrorCode.RELAY_FAILED]);

export class MutationError extends GatewayError {
  readonly retryable: boolean;
  constructor(
    readonly code: MutationErrorCode,
    message: string,
    options?: GraphQLErrorOptions,
  ) {
    super(message, code, options);
    this.name = 'MutationError';
    this.retryable = RETRYABLE.has(code);
  }
}

/** Postgres error → gateway error where the client can act on it; otherwise the error itself. */
export function fromDatabaseError(err: unknown): unknown {
  const code =
    (err as { code?: unknown; driverError?: { code?: unknown } })?.code ?? (err as { driverError?: { code?: unknown } })?.driverError?.code;
  // 57014 query_canceled: raised by statement_timeout
  if (code === '57014') return new QueryTimeoutError({ originalError: err as Error });
  // 22021 character_not_in_repertoire: a NUL (U+0000) in a string argument, which Postgres text cannot hold.
  if (code === '22021') return new BadUserInputError('a string argument contains a character that cannot be stored (U+0000)');
  return err;
}

/**
 * The answer to an operation that runs as one statement (gateway/sql) when that statement hits the
 * statement timeout: no data and one QUERY_TIMEOUT error. The resolvers' lane is not tried after it:
 * it would run the same work again, once per field, and time out as well.
 */
export function timeoutResult(): { data: null; errors: GraphQLFormattedError[] } {
  const err = new QueryTimeoutError();
  return { data: null, errors: [{ message: err.message, extensions: { code: err.code } }] };
}

// Apollo's own codes for malformed requests are stable and safe to show as they are.
const PASS_THROUGH: ReadonlySet<unknown> = new Set([
  ApolloServerErrorCode.GRAPHQL_PARSE_FAILED,
  ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED,
  ApolloServerErrorCode.BAD_USER_INPUT,
  ApolloServerErrorCode.BAD_REQUEST,
  ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE,
  ApolloServerErrorCode.PERSISTED_QUERY_NOT_FOUND,
  ApolloServerErrorCode.PERSISTED_QUERY_NOT_SUPPORTED,
]);

/** Finds a GatewayError anywhere in the chain (Apollo wraps validation and variable errors). */
function findGatewayError(err: unknown): GatewayError | undefined {
  for (let e = err, i = 0; e && i < 8; i++) {
    if (e instanceof GatewayError) return e;
    e = (e as { originalError?: unknown }).originalError;
  }
  return undefined;
}

export interface FormatErrorOptions {
  /** Called for errors that become INTERNAL_SERVER_ERROR, with the original error. */
  onInternalError?: (err: unknown) => void;
}

export function createFormatError(opts: FormatErrorOptions = {}) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    // `http` carries a status to Apollo's HTTP layer (which strips it); graphql-ws would send it on.
    const { stacktrace: _s, http: _h, ...extensions } = formatted.extensions ?? {};
    const ours = findGatewayError(error);
    if (ours) return { ...formatted, extensions: { ...extensions, code: ours.code } };
    if (PASS_THROUGH.has(extensions.code)) return { ...formatted, extensions };
    // Apollo's one request error without a code of its own (it fills in INTERNAL_SERVER_ERROR): an
    // APQ hash that does not match the query, answered with HTTP 400.
    if (formatted.message === 'provided sha does not match query' && !(error as GraphQLError)?.originalError) {
      return { ...formatted, extensions: { ...extensions, code: ApolloServerErrorCode.BAD_REQUEST } };
    }
    opts.onInternalError?.(unwrapResolverError(error));
    return {
      message: 'Internal server error',
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}
