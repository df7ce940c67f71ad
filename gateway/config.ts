// The gateway process's configuration: the only module that reads process.env. Validated once at
// start-up; a bad value fails with one line that names the variable.
import { z } from 'zod';
import { MAX_TRUSTED_PROXIES } from './client-ip';

const url = (protocols: RegExp) =>
  z.string().refine((v) => {
    try {
      return protocols.test(new URL(v).protocol);
    } catch {
      return false;
    }
  }, 'must be a URL');

const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be an integer')
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be between ${min} and ${max}`);

const schema = z.object({
  PORT: int(0, 65535).default(4000),
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: url(/^postgres(ql)?:$/).describe('a postgres:// URL'),
  RPC_URL: url(/^https?:$/).optional(),
  INFERENCE_URL: url(/^https?:$/).optional(),
  GATEWAY_STATEMENT_TIMEOUT_MS: int(1, 600_000).default(5000),
  GATEWAY_MAX_DEPTH: int(1, 100).default(10),
  GATEWAY_MAX_ALIASES: int(0, 10_000).default(30),
  GATEWAY_MAX_COST: int(1, 1_000_000_000).default(50_000),
  /** Requests per second per client IP (token bucket refill); 0 turns the limit off. */
  GATEWAY_RATE_LIMIT_PER_SECOND: int(0, 1_000_000).default(50),
  GATEWAY_RATE_LIMIT_BURST: int(1, 1_000_000).default(100),
  /** Proxies in front whose X-Forwarded-For entries name the client of the per-IP limits. */
  GATEWAY_TRUSTED_PROXIES: int(0, MAX_TRUSTED_PROXIES).default(0),
  /** The deployment (contract addresses) of RPC_URL's chain: turns on the signed mutations. */
  DEPLOYMENT_FILE: z.string().min(1).optional(),
  /** Private key of the relayer that sends and pays for the signed mutations. */
  RELAYER_KEY: z
    .string()
    .regex(/^0x[0-9a-fA-F]{64}$/, 'must be a 0x-prefixed 32-byte hex private key')
    .optional(),
  /** Signed mutations per minute per signer address and per client IP (token buckets); 0 turns one off. */
  GATEWAY_MUTATIONS_PER_MINUTE_PER_ADDRESS: int(0, 1_000_000).default(30),
  GATEWAY_MUTATIONS_BURST_PER_ADDRESS: int(1, 1_000_000).default(10),
  GATEWAY_MUTATIONS_PER_MINUTE_PER_IP: int(0, 1_000_000).default(120),
  GATEWAY_MUTATIONS_BURST_PER_IP: int(1, 1_000_000).default(30),
});

export interface GatewayConfig {
  port: number;
  host: string;
  databaseUrl: string;
  rpcUrl?: string;
  inferenceUrl?: string;
  statementTimeoutMs: number;
  maxDepth: number;
  maxAliases: number;
  maxCost: number;
  /** Undefined when GATEWAY_RATE_LIMIT_PER_SECOND is 0. */
  rateLimit?: { perSecond: number; burst: number };
  trustedProxies: number;
  /** Signed mutations: present when DEPLOYMENT_FILE is set (which needs RPC_URL). */
  mutations?: {
    deploymentFile: string;
    /** Undefined: typed data is served, mutations answer MUTATIONS_UNAVAILABLE. */
    relayerKey?: `0x${string}`;
    rateLimits: { perAddressPerMinute: number; perAddressBurst: number; perIpPerMinute: number; perIpBurst: number };
  };
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the environment; throws ConfigError with a one-line message naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  // An empty variable counts as unset, as shells and .env files often leave them empty.
  const raw = Object.fromEntries(Object.keys(schema.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]));
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue.path[0]);
    const message = raw[name] === undefined ? 'is required' : issue.message;
    throw new ConfigError(`${name} ${message}`);
  }
  const c = parsed.data;
  if (c.DEPLOYMENT_FILE && !c.RPC_URL)
    throw new ConfigError('DEPLOYMENT_FILE is set but RPC_URL is not: name the chain it was deployed to');
  if (c.RELAYER_KEY && !c.DEPLOYMENT_FILE)
    throw new ConfigError('RELAYER_KEY is set but DEPLOYMENT_FILE is not: the relayer needs the contracts');
  return {
    port: c.PORT,
    host: c.HOST,
    databaseUrl: c.DATABASE_URL,
    rpcUrl: c.RPC_URL,
    inferenceUrl: c.INFERENCE_URL,
    statementTimeoutMs: c.GATEWAY_STATEMENT_TIMEOUT_MS,
    maxDepth: c.GATEWAY_MAX_DEPTH,
    maxAliases: c.GATEWAY_MAX_ALIASES,
    maxCost: c.GATEWAY_MAX_COST,
    rateLimit:
      c.GATEWAY_RATE_LIMIT_PER_SECOND > 0 ? { perSecond: c.GATEWAY_RATE_LIMIT_PER_SECOND, burst: c.GATEWAY_RATE_LIMIT_BURST } : undefined,
    trustedProxies: c.GATEWAY_TRUSTED_PROXIES,
    mutations: c.DEPLOYMENT_FILE
      ? {
          deploymentFile: c.DEPLOYMENT_FILE,
          relayerKey: c.RELAYER_KEY?.toLowerCase() as `0x${string}` | undefined,
          rateLimits: {
            perAddressPerMinute: c.GATEWAY_MUTATIONS_PER_MINUTE_PER_ADDRESS,
            perAddressBurst: c.GATEWAY_MUTATIONS_BURST_PER_ADDRESS,
            perIpPerMinute: c.GATEWAY_MUTATIONS_PER_MINUTE_PER_IP,
            perIpBurst: c.GATEWAY_MUTATIONS_BURST_PER_IP,
          },
        }
      : undefined,
  };
}
