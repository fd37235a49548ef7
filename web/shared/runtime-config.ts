/**
 * What a deployment tells its web apps at start-up (`/runtime-config.json`, written by CDK next to
 * the apps and served by the local gateway): where the API is and how people sign in.
 */
export interface RuntimeConfig {
  apiBasePath: string;
  auth:
    | { kind: 'dev'; signInPath: string }
    | { kind: 'oidc'; issuer: string; clientId: string; scope?: string }
    | { kind: 'cognito'; region: string; userPoolId: string; userPoolClientId: string };
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
