/**
 * Which tokens a session may target and on which networks each is carried. `target_token` and
 * `target_network` are validated against this table; the docs (docs/sessions.md) list it for partners.
 */
export const NETWORK_TOKENS: Record<string, readonly string[]> = {
  bitcoin: ['BTC'],
  ethereum: ['ETH', 'USDT', 'USDC'],
  arbitrum: ['ETH', 'USDT', 'USDC'],
  optimism: ['ETH', 'USDT', 'USDC'],
  base: ['ETH', 'USDC'],
  polygon: ['POL', 'USDT', 'USDC'],
  tron: ['TRX', 'USDT'],
  solana: ['SOL', 'USDT', 'USDC'],
};

export const NETWORKS = Object.keys(NETWORK_TOKENS);
export const TOKENS = [...new Set(Object.values(NETWORK_TOKENS).flat())].sort();

export function checkTarget(token: string | null, network: string | null): string[] {
  const problems: string[] = [];
  if (token !== null && !TOKENS.includes(token))
    problems.push(`target_token "${token}" is not supported; use one of ${TOKENS.join(', ')}`);
  if (network !== null && !NETWORKS.includes(network))
    problems.push(`target_network "${network}" is not supported; use one of ${NETWORKS.join(', ')}`);
  if (
    problems.length === 0 &&
    token !== null &&
    network !== null &&
    !NETWORK_TOKENS[network]!.includes(token)
  )
    problems.push(
      `target_network "${network}" does not carry ${token}; ${token} is available on ${NETWORKS.filter((n) =>
        NETWORK_TOKENS[n]!.includes(token),
      ).join(', ')}`,
    );
  return problems;
}
