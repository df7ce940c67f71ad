/** The chain behind RPC_URL is not the one the database (or the deployment file) is for. */
export class ChainChangedError extends Error {
  override name = 'ChainChangedError';
}
