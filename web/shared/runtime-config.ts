/**
 * What a deployment tells its web apps at start-up (`/runtime-config.json`, written by CDK next to
 * the apps and served by the local gateway): where the API is and how people sign in.
 */
export interface RuntimeConfig {
  apiBasePath: string;
  /**
   * The one OIDC issuer the API trusts (architecture.md §8): the local provider under `/oidc`,
   * Cognito, or the deployment's own — always signed in with the authorization code and PKCE.
   */
  auth: { kind: 'oidc'; issuer: string; clientId: string; scope?: string };
}

let loaded: Promise<RuntimeConfig> | undefined;

/** The runtime configuration, fetched once per page load. */
export function runtimeConfig(): Promise<RuntimeConfig> {
  loaded ??= fetch('/runtime-config.json', { cache: 'no-cache' }).then(async (res) => {
    if (!res.ok) throw new Error(`runtime-config.json: ${res.status}`);
    return (await res.json()) as RuntimeConfig;
  });
  return loaded;
}
