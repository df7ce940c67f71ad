// A faster decoder for events whose arguments are all static elementary types (uintN up to 256,
// bool, address, bytesN), which are nearly all of the protocol's volume (NeuronEpoch, Transfer).
// evm-abi's decoder copies the data and every topic into Buffers and reads them through a cursor;
// this one slices the hex strings the RPC returned. It returns exactly what evm-abi returns (same
// types: number up to uint32, bigint above; lowercase hex), which fast-decode.test.ts checks against
// it; events with other types keep evm-abi's decoder.
type Read = (word: string) => unknown;

interface AbiEventLike {
  topic: string;
  signature: string;
  params: Record<string, { indexed?: boolean; isDynamic?: boolean }>;
  decode(rec: { topics: string[]; data: string }): Record<string, unknown>;
}

const ZERO_PREFIX = '000000000000000000000000';

/**
 * The reader of one 32-byte word (64 hex chars) of an ABI type, reading the bytes evm-codec reads
 * (its uint24 is its uint32, uint40..uint64 read 8 bytes, and so on); undefined for other types.
 * (Types come from the signature: evm-abi wraps indexed codecs in proxies, so they cannot be compared.)
 */
function readerFor(type: string): Read | undefined {
  const u = /^uint(\d+)$/.exec(type);
  if (u) {
    const bits = Number(u[1]);
    if (bits < 8 || bits > 256 || bits % 8 !== 0) return undefined;
    const bytes = bits <= 8 ? 1 : bits <= 16 ? 2 : bits <= 32 ? 4 : bits <= 64 ? 8 : bits <= 128 ? 16 : 32;
    if (bytes <= 4) return (w) => Number.parseInt(w.slice(64 - 2 * bytes), 16);
    return bytes === 32 ? (w) => BigInt(`0x${w}`) : (w) => BigInt(`0x${w.slice(64 - 2 * bytes)}`);
  }
  if (type === 'bool') return (w) => w.charCodeAt(62) !== 48 || w.charCodeAt(63) !== 48; // the last byte is not 00
  if (type === 'address') {
    // evm-codec prints the whole word as a number padded to 40 digits: the same for a clean address.
    return (w) => (w.startsWith(ZERO_PREFIX) ? `0x${w.slice(24).toLowerCase()}` : `0x${BigInt(`0x${w}`).toString(16).padStart(40, '0')}`);
  }
  const b = /^bytes(\d+)$/.exec(type);
  if (b) {
    const n = Number(b[1]);
    if (n < 1 || n > 32) return undefined;
    return (w) => `0x${w.slice(0, 2 * n).toLowerCase()}`;
  }
  return undefined;
}

/**
 * A decoder equal to `event.decode`, or undefined when an argument's type is not one handled here.
 * Malformed logs (wrong topic count, short data) are left to evm-abi, which reports them.
 */
export function fastDecoder(event: AbiEventLike): ((rec: { topics: string[]; data: string }) => Record<string, unknown>) | undefined {
  const types = /^\w+\(([\w,]*)\)$/.exec(event.signature)?.[1]?.split(',').filter(Boolean);
  const params = Object.entries(event.params);
  if (!types || types.length !== params.length) return undefined;
  const plan: { name: string; read: Read; topic: number; word: number }[] = [];
  let topics = 1;
  let words = 0;
  for (const [i, [name, p]] of params.entries()) {
    if (p.isDynamic) return undefined;
    const read = readerFor(types[i]!);
    if (!read) return undefined;
    plan.push(p.indexed ? { name, read, topic: topics++, word: -1 } : { name, read, topic: -1, word: words++ });
  }
  const dataLength = 2 + 64 * words;
  return (rec) => {
    if (rec.topics.length !== topics || rec.data.length < dataLength || rec.topics[0] !== event.topic) return event.decode(rec);
    const out: Record<string, unknown> = {};
    for (const x of plan) {
      const word = x.topic >= 0 ? rec.topics[x.topic]!.slice(2) : rec.data.slice(2 + 64 * x.word, 66 + 64 * x.word);
      out[x.name] = x.read(word);
    }
    return out;
  };
}
