import { clientAddress } from './client-ip';

describe('clientAddress', () => {
  it('is the TCP peer when no proxy is trusted, whatever the header says', () => {
    expect(clientAddress('10.0.0.9', '1.2.3.4', 0)).toBe('10.0.0.9');
    expect(clientAddress(undefined, undefined, 0)).toBe('unknown');
  });

  it("behind one proxy: the address that proxy appended, not the client's own entries", () => {
    // The client forged 6.6.6.6; our balancer appended the address it saw, 1.2.3.4.
    expect(clientAddress('10.0.0.9', '6.6.6.6, 1.2.3.4', 1)).toBe('1.2.3.4');
    expect(clientAddress('10.0.0.9', '1.2.3.4', 1)).toBe('1.2.3.4');
  });

  it('behind two proxies: the entry two from the right', () => {
    expect(clientAddress('10.0.0.9', '6.6.6.6,1.2.3.4, 10.0.0.5', 2)).toBe('1.2.3.4');
    // Repeated headers are one list, in order.
    expect(clientAddress('10.0.0.9', ['6.6.6.6, 1.2.3.4', '10.0.0.5'], 2)).toBe('1.2.3.4');
    // Came through one of the two only: the leftmost entry, which that proxy wrote.
    expect(clientAddress('10.0.0.9', '1.2.3.4', 2)).toBe('1.2.3.4');
  });

  it('falls back to the peer without a usable header', () => {
    expect(clientAddress('10.0.0.9', undefined, 1)).toBe('10.0.0.9');
    expect(clientAddress('10.0.0.9', ' , ', 1)).toBe('10.0.0.9');
  });
});
